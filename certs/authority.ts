// Creating a CA and issuing serving certificates with `selfsigned` (EC P-256: fast to generate,
// accepted by the apiserver). Lifetimes are short on purpose (DESIGN §5, unlike Pepr's year-long
// leaf with no rotation): the CA lives a year, the serving leaf 30 days, and both are renewed early.
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { generate } from 'selfsigned';

/** A certificate and its private key, both PEM. */
export interface KeyPair {
  cert: string;
  key: string;
}

export interface Hosts {
  dnsNames: string[];
  ips: string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Tolerates clocks a little behind the issuer's (at most a quarter of the lifetime). */
const MAX_BACKDATE_MS = 5 * 60 * 1000;

export const DEFAULT_CA_LIFETIME_MS = 365 * DAY_MS;
export const DEFAULT_LEAF_LIFETIME_MS = 30 * DAY_MS;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function isDnsName(name: string): boolean {
  if (name.length > 253) return false;
  const labels = name.startsWith('*.') ? name.slice(2).split('.') : name.split('.');
  return labels.every((label) => DNS_LABEL.test(label));
}

/** Splits `--dns` values into DNS names and IP addresses; anything else is an error naming it. */
export function splitHosts(names: readonly string[]): Hosts {
  const hosts: Hosts = { dnsNames: [], ips: [] };
  for (const raw of names) {
    const name = raw.trim();
    if (isIP(name) !== 0) hosts.ips.push(name);
    else if (isDnsName(name.toLowerCase())) hosts.dnsNames.push(name.toLowerCase());
    else throw new Error(`"${raw}" is neither a DNS name (RFC 1123) nor an IP address`);
  }
  if (hosts.dnsNames.length + hosts.ips.length === 0) {
    throw new Error('at least one DNS name or IP address is required');
  }
  return hosts;
}

export interface IssueOptions {
  now?: Date;
  lifetimeMs?: number;
}

function validity(options: IssueOptions, fallbackMs: number) {
  const now = options.now ?? new Date();
  const lifetimeMs = options.lifetimeMs ?? fallbackMs;
  if (!(lifetimeMs > 0))
    throw new Error(`certificate lifetime must be positive, got ${lifetimeMs}`);
  return {
    notBeforeDate: new Date(now.getTime() - Math.min(MAX_BACKDATE_MS, lifetimeMs / 4)),
    notAfterDate: new Date(now.getTime() + lifetimeMs),
  };
}

export async function createCertificateAuthority(
  options: IssueOptions & { commonName?: string } = {},
): Promise<KeyPair> {
  const commonName = options.commonName ?? `orka-webhook-ca-${Date.now().toString(36)}`;
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ...validity(options, DEFAULT_CA_LIFETIME_MS),
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      {
        name: 'keyUsage',
        keyCertSign: true,
        cRLSign: true,
        digitalSignature: true,
        critical: true,
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** A serving (leaf) certificate for `hosts`, signed by `ca`. */
export async function issueServingCertificate(
  ca: KeyPair,
  hosts: Hosts,
  options: IssueOptions = {},
): Promise<KeyPair> {
  const commonName = hosts.dnsNames[0] ?? hosts.ips[0] ?? 'orka-webhook';
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ...validity(options, DEFAULT_LEAF_LIFETIME_MS),
    ca,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...hosts.dnsNames.map((value) => ({ type: 2 as const, value })),
          ...hosts.ips.map((ip) => ({ type: 7 as const, ip })),
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

export interface CertificateInfo {
  notBefore: Date;
  notAfter: Date;
  /** when it was issued: notBefore without the clock-skew backdating of validity() */
  issuedAt: Date;
  x509: X509Certificate;
}

/** Undoes validity()'s backdate of min(MAX_BACKDATE_MS, lifetime / 4) from the validity span. */
function issueTime(notBefore: Date, notAfter: Date): Date {
  const span = notAfter.getTime() - notBefore.getTime();
  const backdate = span <= 5 * MAX_BACKDATE_MS ? span / 5 : MAX_BACKDATE_MS;
  return new Date(notBefore.getTime() + backdate);
}

export function inspectCertificate(pem: string): CertificateInfo {
  const x509 = new X509Certificate(pem);
  const notBefore = new Date(x509.validFrom);
  const notAfter = new Date(x509.validTo);
  return { notBefore, notAfter, issuedAt: issueTime(notBefore, notAfter), x509 };
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every certificate of a PEM bundle, in order. */
export function splitPemBundle(bundle: string): string[] {
  return (bundle.match(PEM_BLOCK) ?? []).map((block) => `${block}\n`);
}

export function joinPemBundle(certs: readonly string[]): string {
  return certs.map((cert) => `${cert.trim()}\n`).join('');
}
