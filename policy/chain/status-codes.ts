// HTTP status codes of the Kubernetes StatusReasons a denial can carry; the first denial's reason
// sets the code of the whole admission response.

const CODES: Readonly<Record<string, number>> = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  AlreadyExists: 409,
  Conflict: 409,
  Gone: 410,
  RequestEntityTooLarge: 413,
  UnsupportedMediaType: 415,
  Invalid: 422,
  TooManyRequests: 429,
  InternalError: 500,
  ServiceUnavailable: 503,
  Timeout: 504,
};

/** Reasons an AdmissionPolicy validation may name (as ValidatingAdmissionPolicy allows). */
export const VALIDATION_REASONS = ['Unauthorized', 'Forbidden', 'Invalid', 'RequestEntityTooLarge'];

export function statusCodeOf(reason: string): number {
  return CODES[reason] ?? 500;
}
