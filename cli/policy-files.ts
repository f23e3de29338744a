// Reading the one-document object files the policy commands take (--resource, --agent, ...).

import { readDocuments } from '../policy/loading.ts';
import { UsageError } from './flags.ts';

export function readObjectFile(flag: string, path: string): Record<string, unknown> {
  let documents: unknown[];
  try {
    documents = readDocuments(path);
  } catch (error) {
    throw new UsageError(`--${flag}: ${(error as Error).message}`);
  }
  if (documents.length !== 1) {
    throw new UsageError(
      `--${flag} ${path}: expected exactly one document, found ${documents.length}`,
    );
  }
  const [document] = documents;
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new UsageError(`--${flag} ${path}: expected a YAML or JSON object`);
  }
  return document as Record<string, unknown>;
}

export function optionalObjectFile(flag: string, path: unknown): Record<string, unknown> | null {
  return typeof path === 'string' && path !== '' ? readObjectFile(flag, path) : null;
}
