// Known secret values never leave the Pod: results, artifacts, logs and the runtime's tee'd output
// pass through a Redactor built from the values the worker can see (DESIGN §8).
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Env } from './config.ts';

export const REDACTED = '[REDACTED]';
/**
 * Shorter values are not redacted: Secrets also carry switches such as `CLAUDE_CODE_USE_FOUNDRY=1`,
 * and replacing every "1" would destroy the output while protecting nothing.
 */
export const MIN_SECRET_LENGTH = 8;

/** Env variables that hold credentials by name; `_PATH`/`_FILE`/`_URL` variants only point at them. */
const SECRET_ENV_NAME = /(^|_)(API_KEY|TOKEN|SECRET|PASSWORD|CREDENTIALS?)$/i;
const MAX_SECRET_FILE_BYTES = 1024 * 1024;
const MAX_PENDING_CHARS = 64 * 1024;

export class Redactor {
  readonly #needles: string[];

  constructor(values: Iterable<string>) {
    const needles = new Set<string>();
    for (const value of values) {
      for (const form of [value, value.trim()]) {
        if (form.length < MIN_SECRET_LENGTH) continue;
        needles.add(form);
        // inside JSON (a structured result, a transcript) the value appears escaped
        needles.add(JSON.stringify(form).slice(1, -1));
      }
    }
    // longest first, so a secret containing another is replaced whole
    this.#needles = [...needles].sort((a, b) => b.length - a.length);
  }

  get size(): number {
    return this.#needles.length;
  }

  redact(text: string): string {
    let out = text;
    for (const needle of this.#needles) {
      if (out.includes(needle)) out = out.replaceAll(needle, REDACTED);
    }
    return out;
  }
}

/** Values of env variables whose names say they are credentials. */
export function secretEnvValues(env: Env): string[] {
  return Object.entries(env)
    .filter(([name, value]) => value && SECRET_ENV_NAME.test(name))
    .map(([, value]) => value as string);
}

/** Contents of every regular file under `dir` (the mounted Secrets); missing dir = none. */
export async function secretFileValues(dir: string): Promise<string[]> {
  const values: string[] = [];
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return values;
  }
  for (const entry of entries) {
    // Kubernetes' atomic-writer metadata (..data, ..2024_...) duplicates the visible keys
    if (entry.startsWith('..')) continue;
    const path = join(dir, entry);
    const info = await lstat(path).catch(() => undefined);
    if (!info) continue;
    if (info.isDirectory()) values.push(...(await secretFileValues(path)));
    else {
      // a Secret key is a symlink into ..data; read through it
      const content = await readSmallFile(path);
      if (content !== undefined) values.push(content);
    }
  }
  return values;
}

export async function readSmallFile(path: string): Promise<string | undefined> {
  try {
    const info = await lstat(path);
    if (info.size > MAX_SECRET_FILE_BYTES) return undefined;
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Redacts whole lines of a stream: a secret is matched only when it is in one chunk, so output is
 * held back until its line is complete.
 */
export class LineRedactor {
  #pending = '';

  constructor(
    private readonly redactor: Redactor,
    private readonly sink: (text: string) => void,
  ) {}

  write(chunk: string): void {
    const text = this.#pending + chunk;
    const lastNewline = text.lastIndexOf('\n');
    if (lastNewline < 0) {
      this.#pending = text;
      // a runaway line without newlines is let through in pieces rather than held forever
      if (text.length > MAX_PENDING_CHARS) this.flush();
      return;
    }
    this.#pending = text.slice(lastNewline + 1);
    this.sink(this.redactor.redact(text.slice(0, lastNewline + 1)));
  }

  flush(): void {
    if (this.#pending) this.sink(this.redactor.redact(this.#pending));
    this.#pending = '';
  }
}
