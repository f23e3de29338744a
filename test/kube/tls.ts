// A throwaway certificate authority for the stand-in's HTTPS server and for test webhook servers.
import { generate } from 'selfsigned';

export interface CertificateAuthority {
  cert: string;
  key: string;
}

export interface ServingCertificate {
  cert: string;
  key: string;
  caPem: string;
}

const ONE_DAY_MS = 24 * 60 * 60 * 1000;

export async function createCertificateAuthority(
  commonName = 'kube-standin-ca',
): Promise<CertificateAuthority> {
  const now = new Date();
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + ONE_DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
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

/** A leaf certificate for the given DNS names and IP addresses, signed by `ca`. */
export async function issueServingCertificate(
  ca: CertificateAuthority,
  hosts: { dnsNames?: string[]; ips?: string[] },
): Promise<ServingCertificate> {
  const dnsNames = hosts.dnsNames ?? [];
  const ips = hosts.ips ?? [];
  const now = new Date();
  const pems = await generate(
    [{ name: 'commonName', value: dnsNames[0] ?? ips[0] ?? 'localhost' }],
    {
      keyType: 'ec',
      algorithm: 'sha256',
      notBeforeDate: new Date(now.getTime() - 60_000),
      notAfterDate: new Date(now.getTime() + ONE_DAY_MS),
      ca,
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            ...dnsNames.map((value) => ({ type: 2 as const, value })),
            ...ips.map((ip) => ({ type: 7 as const, ip })),
          ],
        },
      ],
    },
  );
  return { cert: pems.cert, key: pems.private, caPem: ca.cert };
}
