import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import {
  createCertificateAuthority,
  inspectCertificate,
  issueServingCertificate,
  splitHosts,
  splitPemBundle,
} from '../../../certs/authority.ts';
import { readServingFiles, writeCertificateFiles } from '../../../certs/files.ts';
import { TlsReloader } from '../../../certs/reload.ts';
import { type RotationPolicy, rotateCertificates } from '../../../certs/rotation.ts';

const DAY = 24 * 60 * 60 * 1000;
const HOSTS = { dnsNames: ['orka-webhook.orka-system.svc'], ips: ['127.0.0.1'] };
const POLICY: RotationPolicy = {
  caLifetimeMs: 100 * DAY,
  leafLifetimeMs: 30 * DAY,
  caRenewFraction: 0.8,
  leafRenewFraction: 2 / 3,
};
const T0 = new Date('2026-01-01T00:00:00Z');
const at = (days: number) => new Date(T0.getTime() + days * DAY);

describe('splitHosts', () => {
  const cases: [string[], { dnsNames: string[]; ips: string[] } | RegExp][] = [
    [['localhost', '127.0.0.1'], { dnsNames: ['localhost'], ips: ['127.0.0.1'] }],
    [['::1', 'Orka.Example.COM'], { dnsNames: ['orka.example.com'], ips: ['::1'] }],
    [['*.orka-system.svc'], { dnsNames: ['*.orka-system.svc'], ips: [] }],
    [['bad name'], /"bad name" is neither a DNS name/],
    [['-leading.dash'], /neither a DNS name/],
    [['a..b'], /neither a DNS name/],
    [[], /at least one DNS name or IP address/],
  ];
  for (const [input, want] of cases) {
    test(JSON.stringify(input), () => {
      if (want instanceof RegExp) assert.throws(() => splitHosts(input), want);
      else assert.deepEqual(splitHosts(input), want);
    });
  }
});

test('a leaf carries DNS and IP SANs, is signed by the CA and expires before it', async () => {
  const ca = await createCertificateAuthority({ now: T0, lifetimeMs: 10 * DAY });
  const leaf = await issueServingCertificate(ca, HOSTS, { now: T0, lifetimeMs: 5 * DAY });
  const info = inspectCertificate(leaf.cert);
  assert.equal(info.x509.subjectAltName, 'DNS:orka-webhook.orka-system.svc, IP Address:127.0.0.1');
  assert.ok(info.x509.checkIssued(inspectCertificate(ca.cert).x509));
  assert.equal(info.notAfter.toISOString(), at(5).toISOString());
  assert.equal(inspectCertificate(ca.cert).x509.ca, true);
  assert.equal(info.x509.ca, false);
});

test('certificate files: keys 0600, certificates readable, written whole', async () => {
  const ca = await createCertificateAuthority();
  const serving = await issueServingCertificate(ca, HOSTS);
  const dir = join(mkdtempSync(join(tmpdir(), 'orka-certs-')), 'nested');
  writeCertificateFiles(dir, { caBundle: ca.cert, caKey: ca.key, serving });
  assert.equal(statSync(join(dir, 'ca.key')).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, 'tls.key')).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, 'tls.crt')).mode & 0o777, 0o644);
  assert.deepEqual(readServingFiles(dir), serving);
  assert.equal(readFileSync(join(dir, 'ca.crt'), 'utf8'), ca.cert);
  assert.throws(() => readServingFiles(join(dir, 'missing')), /missing\/tls\.crt: ENOENT/);
});

describe('rotation rounds', () => {
  test('a fresh CA and leaf when nothing is stored, then reuse while valid', async () => {
    const first = await rotateCertificates(undefined, HOSTS, T0, POLICY);
    assert.match(first.changes[0]!, /created a CA and a serving certificate \(none exists\)/);
    const again = await rotateCertificates(first.certificates, HOSTS, at(10), POLICY);
    assert.deepEqual(again.changes, []);
    assert.deepEqual(again.certificates, first.certificates);
    const leaf = inspectCertificate(first.certificates.cert);
    assert.equal(leaf.issuedAt.getTime(), T0.getTime(), 'issuance seen through the backdate');
    assert.ok(leaf.notBefore < T0, 'notBefore is backdated for clock skew');
    assert.equal(again.nextRenewal.getTime(), at(20).getTime(), '2/3 of 30 days after issuance');
  });

  test('the leaf is renewed at 2/3 of its lifetime by the same CA', async () => {
    const first = await rotateCertificates(undefined, HOSTS, T0, POLICY);
    const renewed = await rotateCertificates(first.certificates, HOSTS, at(21), POLICY);
    assert.deepEqual(renewed.changes, ['issued a serving certificate (it is due for renewal)']);
    assert.equal(renewed.certificates.caBundle, first.certificates.caBundle);
    assert.notEqual(renewed.certificates.cert, first.certificates.cert);
    assert.equal(renewed.pending, false);
  });

  test('changed names re-issue the leaf', async () => {
    const first = await rotateCertificates(undefined, HOSTS, T0, POLICY);
    const renamed = await rotateCertificates(
      first.certificates,
      { ...HOSTS, ips: ['::1'] },
      at(1),
      POLICY,
    );
    assert.deepEqual(renamed.changes, ['issued a serving certificate (its names changed)']);
  });

  test('an unusable Secret is replaced whole', async () => {
    const first = await rotateCertificates(undefined, HOSTS, T0, POLICY);
    const other = await createCertificateAuthority();
    const broken = await rotateCertificates(
      { ...first.certificates, caKey: other.key },
      HOSTS,
      at(1),
      POLICY,
    );
    assert.match(broken.changes[0]!, /ca\.key does not belong to the first CA/);
    const expired = await rotateCertificates(first.certificates, HOSTS, at(101), POLICY);
    assert.match(expired.changes[0]!, /the CA expired/);
  });

  test('the CA is renewed at 80 % with overlap: old CA kept, leaf moved next round, old CA dropped later', async () => {
    const policy = { ...POLICY, leafLifetimeMs: 10 * DAY };
    const first = await rotateCertificates(undefined, HOSTS, T0, policy);
    // day 81: the CA is due (80 %); the leaf issued on day 75 is still valid
    const leafAt75 = await rotateCertificates(first.certificates, HOSTS, at(75), policy);
    const caRound = await rotateCertificates(leafAt75.certificates, HOSTS, at(81), policy);
    assert.equal(caRound.pending, true);
    assert.deepEqual(caRound.changes, ['renewed the CA; the previous CA stays in the bundle']);
    const bundle = splitPemBundle(caRound.certificates.caBundle);
    assert.equal(bundle.length, 2);
    assert.equal(bundle[1]!.trim(), splitPemBundle(first.certificates.caBundle)[0]!.trim());
    assert.equal(
      caRound.certificates.cert,
      leafAt75.certificates.cert,
      'leaf untouched in the CA round',
    );

    const follow = await rotateCertificates(caRound.certificates, HOSTS, at(81.01), policy);
    assert.deepEqual(follow.changes, ['issued a serving certificate (another CA signed it)']);
    const newLeaf = inspectCertificate(follow.certificates.cert).x509;
    assert.ok(newLeaf.checkIssued(inspectCertificate(bundle[0]!).x509));
    assert.equal(splitPemBundle(follow.certificates.caBundle).length, 2, 'old CA still trusted');

    // one leaf lifetime after the new CA, no leaf of the old CA can be valid: it leaves the bundle
    const later = await rotateCertificates(follow.certificates, HOSTS, at(92), policy);
    assert.ok(
      later.changes.includes('removed 1 retired CA(s) from the bundle'),
      later.changes.join(),
    );
    assert.equal(splitPemBundle(later.certificates.caBundle).length, 1);
  });

  test('short lifetimes renew at their fraction of the issued lifetime, not at once', async () => {
    const seconds = (n: number) => new Date(T0.getTime() + n * 1000);
    const policy = {
      caLifetimeMs: 30_000,
      leafLifetimeMs: 10_000,
      caRenewFraction: 0.2,
      leafRenewFraction: 0.2,
    };
    const first = await rotateCertificates(undefined, HOSTS, T0, policy);
    // X.509 validity has whole seconds, so issuance is recovered to within a second
    const due = first.nextRenewal.getTime() - T0.getTime();
    assert.ok(due > 1000 && due <= 3000, `renewal due ${due} ms after issuance`);
    const early = await rotateCertificates(first.certificates, HOSTS, seconds(1), policy);
    assert.deepEqual(early.changes, []);
  });

  test('a leaf never outlives the CA that signs it', async () => {
    const first = await rotateCertificates(undefined, HOSTS, T0, POLICY);
    const caRound = await rotateCertificates(first.certificates, HOSTS, at(90), POLICY);
    const leaf = inspectCertificate(caRound.certificates.cert);
    const oldCa = inspectCertificate(splitPemBundle(caRound.certificates.caBundle)[1]!);
    assert.ok(leaf.x509.checkIssued(oldCa.x509));
    assert.ok(leaf.notAfter <= oldCa.notAfter);
  });
});

test('TlsReloader: new handshakes get the new pair, a mismatched pair is refused', async () => {
  const ca = await createCertificateAuthority();
  const first = await issueServingCertificate(ca, { dnsNames: ['localhost'], ips: ['127.0.0.1'] });
  const dir = mkdtempSync(join(tmpdir(), 'orka-reload-'));
  writeCertificateFiles(dir, { caBundle: ca.cert, serving: first });
  const server = createServer({ cert: first.cert, key: first.key }, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const problems: string[] = [];
  const reloader = new TlsReloader(dir, server, { onError: (p) => problems.push(p) });
  const served = () =>
    new Promise<string>((resolve, reject) => {
      const req = request(`https://127.0.0.1:${port}/`, { ca: ca.cert, agent: false }, (res) => {
        const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
        res.resume();
        res.on('end', () => resolve(fingerprint));
      });
      req.on('error', reject);
      req.end();
    });
  try {
    const before = await served();
    assert.equal(reloader.check(), false, 'unchanged files apply nothing');
    const second = await issueServingCertificate(ca, {
      dnsNames: ['localhost'],
      ips: ['127.0.0.1'],
    });
    writeFileSync(join(dir, 'tls.key'), first.key);
    writeFileSync(join(dir, 'tls.crt'), second.cert);
    assert.equal(reloader.check(), false, 'half-updated pair is not applied');
    assert.match(problems[0]!, /tls\.key does not belong to tls\.crt/);
    assert.equal(await served(), before);
    writeCertificateFiles(dir, { caBundle: ca.cert, serving: second });
    assert.equal(reloader.check(), true);
    const after = await served();
    assert.notEqual(after, before);
    assert.equal(after, inspectCertificate(second.cert).x509.fingerprint256);
  } finally {
    reloader.stop();
    await new Promise((resolve) => server.close(resolve));
  }
});
