// The agent-sandbox runtime's HTTP API through the sandbox router, in the upstream client's direct
// mode (kubernetes-sigs/agent-sandbox clients/go/sandbox at v0.4.6): every request names its
// sandbox in X-Sandbox-* headers; `POST upload` takes one multipart file with a plain filename,
// `POST execute` takes `{"command"}` and answers `{"stdout","stderr","exit_code"}`.
import { randomBytes } from 'node:crypto';

export const SANDBOX_SERVER_PORT = 8888;
/** Upstream retries file operations on these; commands are never retried (not idempotent). */
const RETRYABLE = new Set([500, 502, 503, 504]);
const UPLOAD_ATTEMPTS = 6;
const BASE_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 8000;
const MAX_ERROR_BODY = 512;

export interface ExecutionResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export class SandboxRouterError extends Error {
  override name = 'SandboxRouterError';
}

export interface SandboxTarget {
  routerUrl: string;
  sandboxName: string;
  namespace: string;
  /** first retry delay of uploads (doubling, capped); tests shorten it */
  backoffMs?: number;
}

export class SandboxRouter {
  constructor(private readonly target: SandboxTarget) {}

  #headers(): Record<string, string> {
    return {
      'X-Sandbox-ID': this.target.sandboxName,
      'X-Sandbox-Namespace': this.target.namespace,
      'X-Sandbox-Port': String(SANDBOX_SERVER_PORT),
      'X-Request-ID': randomBytes(8).toString('hex'),
    };
  }

  #url(endpoint: string): string {
    return `${this.target.routerUrl}/${endpoint}`;
  }

  /** Writes `content` as `filename` under the sandbox root; nested paths are refused. */
  async upload(filename: string, content: Buffer): Promise<void> {
    if (filename === '' || filename.includes('/') || filename === '.' || filename === '..') {
      throw new SandboxRouterError(
        `write(${JSON.stringify(filename)}): not a plain filename; nested upload paths are not supported`,
      );
    }
    let delay = this.target.backoffMs ?? BASE_BACKOFF_MS;
    for (let attempt = 1; ; attempt++) {
      const form = new FormData();
      form.append('file', new Blob([content]), filename);
      let failure: string;
      try {
        const response = await fetch(this.#url('upload'), {
          method: 'POST',
          headers: this.#headers(),
          body: form,
        });
        const body = await response.text();
        if (response.ok) return;
        failure = `write(${JSON.stringify(filename)}) returned status ${response.status}: ${body.slice(0, MAX_ERROR_BODY)}`;
        if (!RETRYABLE.has(response.status)) throw new SandboxRouterError(failure);
      } catch (error) {
        if (error instanceof SandboxRouterError) throw error;
        failure = `write(${JSON.stringify(filename)}) failed: ${connectionReason(error)}`;
      }
      if (attempt >= UPLOAD_ATTEMPTS) {
        throw new SandboxRouterError(`${failure} (after ${attempt} attempts)`);
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, MAX_BACKOFF_MS);
    }
  }

  /** Runs one shell string; `timeoutMs` 0 = no limit. */
  async run(command: string, timeoutMs: number): Promise<ExecutionResult> {
    let response: Response;
    try {
      response = await fetch(this.#url('execute'), {
        method: 'POST',
        headers: { ...this.#headers(), 'content-type': 'application/json' },
        body: JSON.stringify({ command }),
        ...(timeoutMs > 0 ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
      });
    } catch (error) {
      throw new SandboxRouterError(`run failed: ${connectionReason(error)}`);
    }
    const text = await response.text();
    if (!response.ok) {
      throw new SandboxRouterError(
        `run returned status ${response.status}: ${text.slice(0, MAX_ERROR_BODY)}`,
      );
    }
    let parsed: { stdout?: unknown; stderr?: unknown; exit_code?: unknown };
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new SandboxRouterError('failed to decode run result: the answer is not JSON');
    }
    return {
      stdout: typeof parsed.stdout === 'string' ? parsed.stdout : '',
      stderr: typeof parsed.stderr === 'string' ? parsed.stderr : '',
      exitCode: typeof parsed.exit_code === 'number' ? parsed.exit_code : -1,
    };
  }
}

function connectionReason(error: unknown): string {
  if ((error as Error).name === 'TimeoutError') return 'timed out';
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
