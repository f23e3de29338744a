// The worker's side of Orka's API (reference §5.1, §7.4, §7.5): results, artifacts, the prior
// Task's result and the session transcript, each authenticated with the Pod's ServiceAccount
// token. Transient failures (5xx, 408, 429, connection errors) are retried with doubling delays;
// other 4xx answers are final.
import { readFile } from 'node:fs/promises';
import type { Logger } from './log.ts';

export const REQUEST_TIMEOUT_MS = 30_000;
const MAX_ERROR_BODY_BYTES = 1024;

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly transient: boolean,
  ) {
    super(message);
  }
}

export interface ApiClientOptions {
  /** reads the token afresh per request: projected tokens are rotated by the kubelet */
  token: () => Promise<string | undefined>;
  attempts: number;
  retryDelayMs: number;
  log: Logger;
}

/** ServiceAccount token: the file (ORKA_SA_TOKEN_PATH or the Pod path), else env ORKA_SA_TOKEN. */
export function serviceAccountToken(path: string, envToken: string | undefined) {
  return async (): Promise<string | undefined> => {
    const fromFile = await readFile(path, 'utf8').catch(() => undefined);
    return fromFile?.trim() || envToken || undefined;
  };
}

interface RequestSpec {
  method: 'GET' | 'POST';
  url: string;
  body?: Buffer;
  contentType?: string;
}

export class ApiClient {
  constructor(private readonly options: ApiClientOptions) {}

  async submitResult(endpoint: string, body: Buffer): Promise<void> {
    await this.#withRetries({
      method: 'POST',
      url: endpoint,
      body,
      contentType: 'application/octet-stream',
    });
  }

  async uploadArtifact(
    controllerUrl: string,
    task: { namespace: string; name: string },
    filename: string,
    body: Buffer,
    contentType: string,
  ): Promise<void> {
    const url = `${controllerUrl}/internal/v1/artifacts/${encodeURIComponent(task.namespace)}/${encodeURIComponent(task.name)}/${encodeURIComponent(filename)}`;
    await this.#withRetries({ method: 'POST', url, body, contentType });
  }

  /** GET /api/v1/tasks/<name>/result: the stored result as a string (reference §7.4). */
  async taskResult(controllerUrl: string, task: { namespace: string; name: string }) {
    const url = `${controllerUrl}/api/v1/tasks/${encodeURIComponent(task.name)}/result?namespace=${encodeURIComponent(task.namespace)}`;
    const body = (await this.#withRetries({ method: 'GET', url })).toString('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new ApiError(`GET ${url}: the answer is not JSON`, 200, false);
    }
    const result = (parsed as { result?: unknown } | null)?.result;
    if (typeof result !== 'string') {
      throw new ApiError(`GET ${url}: the answer has no string "result"`, 200, false);
    }
    return result;
  }

  /**
   * GET the session transcript (JSON lines), newest `maxMessages` in order; 0 = all (the API
   * takes only positive limits, so 0 sends none). `task` names the worker's Task explicitly.
   */
  async transcript(
    controllerUrl: string,
    task: { namespace: string; name: string },
    session: string,
    maxMessages: number,
  ): Promise<Buffer> {
    const query = new URLSearchParams({ task: task.name });
    if (maxMessages > 0) query.set('maxMessages', String(maxMessages));
    const url = `${controllerUrl}/internal/v1/sessions/${encodeURIComponent(task.namespace)}/${encodeURIComponent(session)}/transcript?${query}`;
    return this.#withRetries({ method: 'GET', url });
  }

  /**
   * POST /internal/v1/tasks/<ns>/<parent>/children: the created child Task. Retrying is safe:
   * the child has a fixed name, so a repeated create is a 409, never a second child.
   */
  async createChildTask(
    controllerUrl: string,
    parent: { namespace: string; name: string },
    request: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const url = `${controllerUrl}/internal/v1/tasks/${encodeURIComponent(parent.namespace)}/${encodeURIComponent(parent.name)}/children`;
    const body = await this.#withRetries({
      method: 'POST',
      url,
      body: Buffer.from(JSON.stringify(request)),
      contentType: 'application/json',
    });
    return JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  }

  async #withRetries(spec: RequestSpec): Promise<Buffer> {
    let delay = this.options.retryDelayMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#request(spec);
      } catch (error) {
        if (!(error instanceof ApiError) || !error.transient || attempt >= this.options.attempts) {
          throw error;
        }
        this.options.log.warn(
          `${error.message}; attempt ${attempt} of ${this.options.attempts}, retrying in ${delay} ms`,
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay *= 2;
      }
    }
  }

  async #request(spec: RequestSpec): Promise<Buffer> {
    const headers: Record<string, string> = {};
    const token = await this.options.token();
    if (token) headers.authorization = `Bearer ${token}`;
    if (spec.contentType) headers['content-type'] = spec.contentType;
    let response: Response;
    try {
      response = await fetch(spec.url, {
        method: spec.method,
        headers,
        ...(spec.body ? { body: spec.body } : {}),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new ApiError(`${spec.method} ${spec.url}: ${reason}`, undefined, true);
    }
    const body = Buffer.from(await response.arrayBuffer());
    if (response.ok) return body;
    const status = response.status;
    const excerpt = body.subarray(0, MAX_ERROR_BODY_BYTES).toString('utf8');
    throw new ApiError(
      `${spec.method} ${spec.url}: HTTP ${status}: ${excerpt}`,
      status,
      status >= 500 || status === 408 || status === 429,
    );
  }
}
