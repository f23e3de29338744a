// When to renew what (DESIGN §5). One round looks at the stored CA bundle, CA key and serving leaf
// and returns what should be stored next:
// - the CA is renewed at 80 % of its lifetime (default lifetime 1 year); the new CA is put first in
//   the bundle and the old one stays behind it, so clients trust both while leaves signed by the
//   old CA may still be served;
// - the leaf is renewed at 2/3 of its lifetime (default 30 days), when its names differ from the
//   wanted hosts, or when another CA than the current one signed it — but never in the round that
//   introduced a new CA: the bundle must reach the clients first, so that round asks for a
//   follow-up round (`pending`) once the bundle is injected;
// - an old CA leaves the bundle once it expired or no leaf it signed can still be valid (its
//   successor is older than one leaf lifetime and the current leaf is not its).
import { createPrivateKey } from 'node:crypto';
import {
  type CertificateInfo,
  createCertificateAuthority,
  DEFAULT_CA_LIFETIME_MS,
  DEFAULT_LEAF_LIFETIME_MS,
  type Hosts,
  inspectCertificate,
  issueServingCertificate,
  joinPemBundle,
  type KeyPair,
  splitPemBundle,
} from './authority.ts';

/** What the Secret holds: ca.crt (bundle, current CA first), ca.key, tls.crt, tls.key. */
export interface StoredCertificates {
  caBundle: string;
  caKey: string;
  cert: string;
  key: string;
}

export interface RotationPolicy {
  caLifetimeMs: number;
  leafLifetimeMs: number;
  /** fraction of the CA lifetime after which it is renewed */
  caRenewFraction: number;
  /** fraction of the leaf lifetime after which it is renewed */
  leafRenewFraction: number;
}

export const DEFAULT_ROTATION_POLICY: RotationPolicy = {
  caLifetimeMs: DEFAULT_CA_LIFETIME_MS,
  leafLifetimeMs: DEFAULT_LEAF_LIFETIME_MS,
  caRenewFraction: 0.8,
  leafRenewFraction: 2 / 3,
};

export interface RotationResult {
  certificates: StoredCertificates;
  /** what changed, for logs; empty when nothing did */
  changes: string[];
  /** a new CA was introduced: run another round once the bundle is injected */
  pending: boolean;
  /** when the next renewal falls due */
  nextRenewal: Date;
}

/** Fractions count from issuance, not from the backdated notBefore, so short lifetimes work too. */
const renewalTime = (info: CertificateInfo, fraction: number) =>
  new Date(
    info.issuedAt.getTime() + (info.notAfter.getTime() - info.issuedAt.getTime()) * fraction,
  );

/** One spelling per address: X509 prints IPv6 uncompressed, flags usually compress it. */
const canonicalIp = (ip: string) =>
  ip.includes(':') ? new URL(`http://[${ip}]`).hostname.slice(1, -1) : ip;

function namesOf(info: CertificateInfo): string[] {
  return (info.x509.subjectAltName ?? '')
    .split(', ')
    .filter((entry) => entry !== '')
    .map((entry) =>
      entry.startsWith('IP Address:') ? `IP:${canonicalIp(entry.slice(11))}` : entry,
    )
    .sort();
}

function wantedNames(hosts: Hosts): string[] {
  return [
    ...hosts.dnsNames.map((name) => `DNS:${name}`),
    ...hosts.ips.map((ip) => `IP:${canonicalIp(ip)}`),
  ].sort();
}

function keyMatches(info: CertificateInfo, keyPem: string): boolean {
  try {
    return info.x509.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

interface ParsedState {
  signer: KeyPair;
  signerInfo: CertificateInfo;
  others: CertificateInfo[];
}

/** The stored state if usable, else the reason it is not. */
function parseStored(stored: StoredCertificates, now: Date): ParsedState | string {
  let infos: CertificateInfo[];
  try {
    infos = splitPemBundle(stored.caBundle).map(inspectCertificate);
  } catch {
    return 'the CA bundle does not parse';
  }
  const [signerInfo, ...others] = infos;
  if (!signerInfo) return 'the CA bundle is empty';
  if (!keyMatches(signerInfo, stored.caKey)) return 'ca.key does not belong to the first CA';
  if (signerInfo.notAfter <= now) return 'the CA expired';
  return { signer: { cert: signerInfo.x509.toString(), key: stored.caKey }, signerInfo, others };
}

function leafProblem(
  stored: StoredCertificates,
  signer: CertificateInfo,
  hosts: Hosts,
  now: Date,
  policy: RotationPolicy,
): string | undefined {
  let leaf: CertificateInfo;
  try {
    leaf = inspectCertificate(stored.cert);
  } catch {
    return 'the serving certificate does not parse';
  }
  if (!keyMatches(leaf, stored.key)) return 'tls.key does not belong to tls.crt';
  if (namesOf(leaf).join() !== wantedNames(hosts).join()) return 'its names changed';
  if (!leaf.x509.checkIssued(signer.x509)) return 'another CA signed it';
  if (now >= renewalTime(leaf, policy.leafRenewFraction)) return 'it is due for renewal';
  return undefined;
}

/** A leaf never outlives the CA that signed it: a chain is only as valid as its shortest link. */
function leafLifetime(issuer: KeyPair, now: Date, policy: RotationPolicy): number {
  const caLeft = inspectCertificate(issuer.cert).notAfter.getTime() - now.getTime();
  return Math.max(1000, Math.min(policy.leafLifetimeMs, caLeft));
}

export async function rotateCertificates(
  stored: StoredCertificates | undefined,
  hosts: Hosts,
  now: Date,
  policy: RotationPolicy = DEFAULT_ROTATION_POLICY,
): Promise<RotationResult> {
  const parsed = stored === undefined ? 'none exists' : parseStored(stored, now);
  if (typeof parsed === 'string') {
    const ca = await createCertificateAuthority({ now, lifetimeMs: policy.caLifetimeMs });
    const leaf = await issueServingCertificate(ca, hosts, {
      now,
      lifetimeMs: policy.leafLifetimeMs,
    });
    const certificates = { caBundle: joinPemBundle([ca.cert]), caKey: ca.key, ...leaf };
    return {
      certificates,
      changes: [`created a CA and a serving certificate (${parsed})`],
      pending: false,
      nextRenewal: nextRenewal(certificates, policy),
    };
  }

  const changes: string[] = [];
  let { signer, signerInfo, others } = parsed;
  let previousSigner: KeyPair | undefined;
  if (now >= renewalTime(signerInfo, policy.caRenewFraction)) {
    previousSigner = signer;
    others = [signerInfo, ...others];
    signer = await createCertificateAuthority({ now, lifetimeMs: policy.caLifetimeMs });
    signerInfo = inspectCertificate(signer.cert);
    changes.push('renewed the CA; the previous CA stays in the bundle');
  }

  let leaf: KeyPair = { cert: stored!.cert, key: stored!.key };
  const issuedBy = previousSigner ? inspectCertificate(previousSigner.cert) : signerInfo;
  const problem = leafProblem(stored!, issuedBy, hosts, now, policy);
  if (problem) {
    const issuer = previousSigner ?? signer;
    leaf = await issueServingCertificate(issuer, hosts, {
      now,
      lifetimeMs: leafLifetime(issuer, now, policy),
    });
    changes.push(`issued a serving certificate (${problem})`);
  }

  const leafInfo = inspectCertificate(leaf.cert);
  const kept = others.filter((info) => {
    if (info.notAfter <= now) return false;
    if (leafInfo.x509.checkIssued(info.x509)) return true;
    return now.getTime() < signerInfo.issuedAt.getTime() + policy.leafLifetimeMs;
  });
  if (kept.length < others.length) {
    changes.push(`removed ${others.length - kept.length} retired CA(s) from the bundle`);
  }
  const caBundle = joinPemBundle([signerInfo, ...kept].map((info) => info.x509.toString()));
  const certificates = { caBundle, caKey: signer.key, ...leaf };
  return {
    certificates,
    changes,
    pending: previousSigner !== undefined,
    nextRenewal: nextRenewal(certificates, policy),
  };
}

/** The earliest of: CA renewal, leaf renewal, a retired CA becoming removable. */
function nextRenewal(stored: StoredCertificates, policy: RotationPolicy): Date {
  const [signer, ...retired] = splitPemBundle(stored.caBundle).map(inspectCertificate);
  const leaf = inspectCertificate(stored.cert);
  const times = [
    renewalTime(signer!, policy.caRenewFraction).getTime(),
    renewalTime(leaf, policy.leafRenewFraction).getTime(),
    ...retired.map((info) =>
      Math.min(info.notAfter.getTime(), signer!.issuedAt.getTime() + policy.leafLifetimeMs),
    ),
  ];
  return new Date(Math.min(...times));
}
