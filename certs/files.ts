// The certificate folder layout shared by `orka certs generate`, mounted Secrets and the servers:
// ca.crt (the CA bundle), ca.key, tls.crt, tls.key. Keys are written 0600, every file atomically
// (write beside, then rename) so a reloading server never reads half a file.
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyPair } from './authority.ts';

export interface CertificateFiles {
  /** the CA bundle clients trust (one or more CA certificates) */
  caBundle: string;
  /** the signing CA's key; absent where only serving material is needed */
  caKey?: string;
  serving: KeyPair;
}

export const CA_CERT_FILE = 'ca.crt';
export const CA_KEY_FILE = 'ca.key';
export const TLS_CERT_FILE = 'tls.crt';
export const TLS_KEY_FILE = 'tls.key';

function writeAtomically(path: string, content: string, mode: number): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content, { mode });
  chmodSync(temporary, mode);
  renameSync(temporary, path);
}

export function writeCertificateFiles(dir: string, files: CertificateFiles): void {
  mkdirSync(dir, { recursive: true });
  writeAtomically(join(dir, CA_CERT_FILE), files.caBundle, 0o644);
  if (files.caKey !== undefined) writeAtomically(join(dir, CA_KEY_FILE), files.caKey, 0o600);
  writeAtomically(join(dir, TLS_KEY_FILE), files.serving.key, 0o600);
  writeAtomically(join(dir, TLS_CERT_FILE), files.serving.cert, 0o644);
}

/** tls.crt and tls.key of a folder; a missing or unreadable file is an error naming it. */
export function readServingFiles(dir: string): KeyPair {
  const read = (name: string) => {
    const path = join(dir, name);
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(`${path}: ${(error as NodeJS.ErrnoException).code ?? 'cannot read'}`);
    }
  };
  return { cert: read(TLS_CERT_FILE), key: read(TLS_KEY_FILE) };
}
