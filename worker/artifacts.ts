// Files the agent leaves in the artifacts folder are uploaded after the result (reference §7.5):
// regular files directly in the folder, each at most 10 MiB, 50 MiB in all. Text files pass the
// same redaction as the result.
import { lstat, readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { ApiClient } from './api-client.ts';
import type { TaskIdentity } from './config.ts';
import type { Logger } from './log.ts';

export const MAX_ARTIFACT_BYTES = 10 * 1024 * 1024;
export const MAX_ARTIFACTS_TOTAL_BYTES = 50 * 1024 * 1024;

const CONTENT_TYPES: Record<string, string> = {
  '.txt': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.json': 'application/json',
  '.html': 'text/html; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.diff': 'text/x-diff; charset=utf-8',
  '.patch': 'text/x-diff; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.pdf': 'application/pdf',
};

export function contentTypeOf(filename: string): string {
  return CONTENT_TYPES[extname(filename).toLowerCase()] ?? 'application/octet-stream';
}

/** A file is treated as text (and redacted) when it is valid UTF-8 without NUL bytes. */
function asText(bytes: Buffer): string | undefined {
  if (bytes.includes(0)) return undefined;
  const text = bytes.toString('utf8');
  return Buffer.byteLength(text) === bytes.length && !text.includes('\uFFFD') ? text : undefined;
}

export async function uploadArtifacts(options: {
  dir: string;
  client: ApiClient;
  controllerUrl: string | undefined;
  task: TaskIdentity;
  redact: (text: string) => string;
  log: Logger;
}): Promise<number> {
  const { dir, log } = options;
  const names = await readdir(dir).catch(() => [] as string[]);
  if (names.length === 0) return 0;
  if (!options.controllerUrl) {
    log.warn(`${names.length} artifacts not uploaded: ORKA_CONTROLLER_URL is not set`);
    return 0;
  }
  let total = 0;
  let uploaded = 0;
  for (const name of names.sort()) {
    const path = join(dir, name);
    const info = await lstat(path);
    if (!info.isFile()) {
      log.warn(`artifact ${name} skipped: not a regular file`);
      continue;
    }
    if (info.size > MAX_ARTIFACT_BYTES) {
      log.warn(`artifact ${name} skipped: ${info.size} bytes is over ${MAX_ARTIFACT_BYTES}`);
      continue;
    }
    if (total + info.size > MAX_ARTIFACTS_TOTAL_BYTES) {
      log.warn(
        `artifact ${name} skipped: artifacts would exceed ${MAX_ARTIFACTS_TOTAL_BYTES} bytes`,
      );
      continue;
    }
    const bytes = await readFile(path);
    const text = asText(bytes);
    const body = text === undefined ? bytes : Buffer.from(options.redact(text));
    try {
      await options.client.uploadArtifact(
        options.controllerUrl,
        options.task,
        name,
        body,
        contentTypeOf(name),
      );
      total += info.size;
      uploaded++;
    } catch (error) {
      log.warn(`artifact ${name} not uploaded: ${(error as Error).message}`);
    }
  }
  return uploaded;
}
