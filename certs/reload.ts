// TLS hot reload: a server keeps serving while its certificate files change underneath it (a
// mounted Secret is swapped by the kubelet through a symlink, `orka certs generate` rewrites in
// place). Polling the two small files is what survives both; a new pair is taken only once the
// certificate parses and the key matches it, so a half-updated pair never reaches a handshake.
// Connections already open keep their context; new handshakes get the new one.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { SecureContextOptions } from 'node:tls';
import type { KeyPair } from './authority.ts';
import { readServingFiles } from './files.ts';

/** What `https.Server` (and fastify's `server`) offers for swapping certificates. */
export interface SecureContextTarget {
  setSecureContext(options: SecureContextOptions): void;
}

/** Why a pair cannot serve (unparseable, key does not match), or undefined when it can. */
export function servingPairProblem(pair: KeyPair): string | undefined {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pair.cert);
  } catch {
    return 'tls.crt is not a PEM certificate';
  }
  try {
    if (!certificate.checkPrivateKey(createPrivateKey(pair.key))) {
      return 'tls.key does not belong to tls.crt';
    }
  } catch {
    return 'tls.key is not a PEM private key';
  }
  return undefined;
}

export interface ReloadOptions {
  /** how often the files are read; default 1 s */
  intervalMs?: number;
  /** called with each new pair after it was applied */
  onReload?: (pair: KeyPair) => void;
  /** called when the files are unreadable or do not match; the old pair keeps serving */
  onError?: (problem: string) => void;
}

export class TlsReloader {
  private current: KeyPair;
  private timer: NodeJS.Timeout | undefined;
  private lastProblem: string | undefined;

  /** Reads the pair once (throws if it cannot serve) and applies nothing until it changes. */
  constructor(
    private readonly dir: string,
    private readonly target: SecureContextTarget,
    private readonly options: ReloadOptions = {},
  ) {
    this.current = readServingFiles(dir);
    const problem = servingPairProblem(this.current);
    if (problem) throw new Error(`${dir}: ${problem}`);
  }

  get pair(): KeyPair {
    return this.current;
  }

  start(): this {
    this.timer ??= setInterval(() => this.check(), this.options.intervalMs ?? 1000);
    this.timer.unref();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Applies the files if they changed and form a valid pair; true when a new pair was applied. */
  check(): boolean {
    let next: KeyPair;
    try {
      next = readServingFiles(this.dir);
    } catch (error) {
      this.report((error as Error).message);
      return false;
    }
    if (next.cert === this.current.cert && next.key === this.current.key) return false;
    const problem = servingPairProblem(next);
    if (problem) {
      this.report(`${this.dir}: ${problem}`);
      return false;
    }
    this.target.setSecureContext({ cert: next.cert, key: next.key });
    this.current = next;
    this.lastProblem = undefined;
    this.options.onReload?.(next);
    return true;
  }

  private report(problem: string): void {
    if (problem === this.lastProblem) return;
    this.lastProblem = problem;
    this.options.onError?.(problem);
  }
}
