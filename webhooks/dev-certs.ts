// The CA and serving certificate of `orka dev`, kept in a state folder between runs so the cluster
// and any client that trusted the CA keep trusting it. Each start runs the certificate manager's
// rotation rules (certs/rotation.ts) on what the folder holds: the leaf is renewed in the last third
// of its life or when its names no longer cover the listen address, the CA at 80 % of its life or
// once it expired; nothing present (or nothing usable) means a new CA and leaf.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { inspectCertificate, splitHosts, splitPemBundle } from '../certs/authority.ts';
import {
  CA_CERT_FILE,
  CA_KEY_FILE,
  TLS_CERT_FILE,
  TLS_KEY_FILE,
  writeCertificateFiles,
} from '../certs/files.ts';
import {
  DEFAULT_ROTATION_POLICY,
  type RotationPolicy,
  rotateCertificates,
  type StoredCertificates,
} from '../certs/rotation.ts';

export interface DevCertificates {
  certificates: StoredCertificates;
  /** what was created or renewed, in the rotation's words; empty when everything was reused */
  changes: string[];
  /** SHA-256 fingerprint of the CA the configurations carry first */
  caFingerprint: string;
}

/** $XDG_STATE_HOME/orka/dev-certs, else ~/.local/state/orka/dev-certs (XDG base directories). */
export function defaultDevCertDir(env: Readonly<Record<string, string | undefined>>): string {
  const state = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(state, 'orka', 'dev-certs');
}

/**
 * What the folder holds, or undefined when it holds none of the four files. A missing or broken
 * file is left to the rotation, which replaces what it cannot use and says why.
 */
function readStored(dir: string): StoredCertificates | undefined {
  const read = (file: string) =>
    existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8') : '';
  const stored = {
    caBundle: read(CA_CERT_FILE),
    caKey: read(CA_KEY_FILE),
    cert: read(TLS_CERT_FILE),
    key: read(TLS_KEY_FILE),
  };
  return Object.values(stored).every((text) => text === '') ? undefined : stored;
}

/**
 * The certificates for serving on `host` from `dir`, renewed or created as due and written back.
 * A renewed CA is used at once: dev registers its configurations afresh on every start, so no
 * client needs the overlap the in-cluster manager waits for.
 */
export async function ensureDevCertificates(
  dir: string,
  host: string,
  now: Date = new Date(),
  policy: RotationPolicy = DEFAULT_ROTATION_POLICY,
): Promise<DevCertificates> {
  const hosts = splitHosts([host]);
  const stored = readStored(dir);
  let round = await rotateCertificates(stored, hosts, now, policy);
  const changes = [...round.changes];
  if (round.pending) {
    round = await rotateCertificates(round.certificates, hosts, now, policy);
    changes.push(...round.changes);
  }
  const { certificates } = round;
  if (changes.length > 0) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeCertificateFiles(dir, {
      caBundle: certificates.caBundle,
      caKey: certificates.caKey,
      serving: { cert: certificates.cert, key: certificates.key },
    });
  }
  const [currentCa] = splitPemBundle(certificates.caBundle);
  return {
    certificates,
    changes,
    caFingerprint: inspectCertificate(currentCa!).x509.fingerprint256,
  };
}
