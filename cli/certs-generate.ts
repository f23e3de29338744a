// `orka certs generate --out DIR --dns NAME[,NAME]... [--days 365]` (DESIGN §11): a CA and a
// serving certificate signed by it, both valid for --days; IP addresses become IP SANs.
import {
  createCertificateAuthority,
  issueServingCertificate,
  splitHosts,
} from '../certs/authority.ts';
import { writeCertificateFiles } from '../certs/files.ts';
import type { CommandContext } from './commands.ts';
import { UsageError } from './flags.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export async function runCertsGenerate({
  values,
  positionals,
  stderr,
}: CommandContext): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const out = values.out as string;
  if (out === '') throw new UsageError('--out DIR is required');
  const days = values.days as number;
  if (!Number.isInteger(days) || days < 1) {
    throw new UsageError(`--days must be a whole number of days >= 1, got ${days}`);
  }
  let hosts: ReturnType<typeof splitHosts>;
  try {
    hosts = splitHosts(values.dns as string[]);
  } catch (error) {
    throw new UsageError(`--dns: ${(error as Error).message}`);
  }
  const lifetimeMs = days * DAY_MS;
  const ca = await createCertificateAuthority({ lifetimeMs });
  const serving = await issueServingCertificate(ca, hosts, { lifetimeMs });
  writeCertificateFiles(out, { caBundle: ca.cert, caKey: ca.key, serving });
  stderr.write(
    `wrote ca.crt, ca.key, tls.crt, tls.key to ${out} (valid ${days} days; DNS: ${hosts.dnsNames.join(', ') || '-'}; IP: ${hosts.ips.join(', ') || '-'})\n`,
  );
  return 0;
}
