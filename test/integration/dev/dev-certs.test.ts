// The certificates `orka dev` keeps in its state folder (webhooks/dev-certs.ts), on real files:
// reused while good, the leaf renewed in its last third, when expired or when its names no longer
// cover the host, the CA renewed near and after its expiry; each case says what it did.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { splitPemBundle } from '../../../certs/authority.ts';
import { defaultDevCertDir, ensureDevCertificates } from '../../../webhooks/dev-certs.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const HOST = '127.0.0.1';

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'orka-dev-certs-'));
  try {
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS);

test('a fresh folder gets a CA and a leaf; the next start reuses both', async () => {
  await withDir(async (dir) => {
    const first = await ensureDevCertificates(dir, HOST);
    assert.deepEqual(first.changes, ['created a CA and a serving certificate (none exists)']);
    for (const key of ['ca.key', 'tls.key']) {
      assert.equal((await stat(join(dir, key))).mode & 0o777, 0o600, `${key} is private`);
    }
    const second = await ensureDevCertificates(dir, HOST);
    assert.deepEqual(second.changes, []);
    assert.equal(second.caFingerprint, first.caFingerprint);
    assert.equal(second.certificates.cert, first.certificates.cert);
    assert.equal(await readFile(join(dir, 'tls.crt'), 'utf8'), first.certificates.cert);
  });
});

interface Case {
  name: string;
  /** when the folder was filled, and for which host */
  seededDaysAgo: number;
  seededHost?: string;
  /** the changes the start reports */
  changes: RegExp[];
  sameCa: boolean;
  newLeaf: boolean;
}

const cases: Case[] = [
  {
    name: 'a leaf 19 days into 30 is kept',
    seededDaysAgo: 19,
    changes: [],
    sameCa: true,
    newLeaf: false,
  },
  {
    name: 'a leaf in the last third of its life is renewed by the same CA',
    seededDaysAgo: 21,
    changes: [/^issued a serving certificate \(it is due for renewal\)$/],
    sameCa: true,
    newLeaf: true,
  },
  {
    name: 'an expired leaf is renewed by the same CA',
    seededDaysAgo: 45,
    changes: [/^issued a serving certificate \(it is due for renewal\)$/],
    sameCa: true,
    newLeaf: true,
  },
  {
    name: 'a leaf whose names do not cover the host is renewed',
    seededDaysAgo: 0,
    seededHost: 'localhost',
    changes: [/^issued a serving certificate \(its names changed\)$/],
    sameCa: true,
    newLeaf: true,
  },
  {
    name: 'a CA past 80 % of its year is renewed and signs the new leaf',
    seededDaysAgo: 300,
    // The first round renews the CA and, as the in-cluster manager does, the due leaf with the
    // old CA; dev needs no overlap, so a second round has the new CA sign the leaf.
    changes: [
      /^renewed the CA; the previous CA stays in the bundle$/,
      /^issued a serving certificate \(it is due for renewal\)$/,
      /^issued a serving certificate \(another CA signed it\)$/,
    ],
    sameCa: false,
    newLeaf: true,
  },
  {
    name: 'an expired CA is replaced with a new CA and leaf',
    seededDaysAgo: 400,
    changes: [/^created a CA and a serving certificate \(the CA expired\)$/],
    sameCa: false,
    newLeaf: true,
  },
];

for (const c of cases) {
  test(c.name, async () => {
    await withDir(async (dir) => {
      const seeded = await ensureDevCertificates(
        dir,
        c.seededHost ?? HOST,
        daysAgo(c.seededDaysAgo),
      );
      const now = await ensureDevCertificates(dir, HOST);
      assert.equal(now.changes.length, c.changes.length, JSON.stringify(now.changes));
      c.changes.forEach((pattern, i) => {
        assert.match(now.changes[i]!, pattern);
      });
      assert.equal(now.caFingerprint === seeded.caFingerprint, c.sameCa, 'CA kept or replaced');
      assert.equal(now.certificates.cert !== seeded.certificates.cert, c.newLeaf, 'leaf renewed');

      const leaf = new X509Certificate(now.certificates.cert);
      const [currentCa] = splitPemBundle(now.certificates.caBundle);
      assert.ok(leaf.checkIssued(new X509Certificate(currentCa!)), 'the first CA signed the leaf');
      assert.ok(new Date(leaf.validTo) > new Date(), 'the leaf is valid now');
      assert.match(leaf.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
      const again = await ensureDevCertificates(dir, HOST);
      assert.deepEqual(again.changes, [], 'what was written is reused on the next start');
    });
  });
}

test('a missing tls.key gets a new leaf from the kept CA', async () => {
  await withDir(async (dir) => {
    const seeded = await ensureDevCertificates(dir, HOST);
    await rm(join(dir, 'tls.key'));
    const now = await ensureDevCertificates(dir, HOST);
    assert.deepEqual(now.changes, [
      'issued a serving certificate (tls.key does not belong to tls.crt)',
    ]);
    assert.equal(now.caFingerprint, seeded.caFingerprint);
  });
});

test('the default folder follows XDG_STATE_HOME, else HOME', () => {
  assert.equal(
    defaultDevCertDir({ XDG_STATE_HOME: '/state', HOME: '/home/me' }),
    '/state/orka/dev-certs',
  );
  assert.equal(defaultDevCertDir({ HOME: '/home/me' }), '/home/me/.local/state/orka/dev-certs');
});
