// Kubernetes' IP and CIDR libraries (types net.IP and net.CIDR) over a port of Go's
// netip.ParseAddr / ParsePrefix, including their strictness: no IPv4 octets with leading
// zeros, no zones, and (as Kubernetes adds) no IPv4-mapped IPv6 addresses.
import type { Environment } from '@marcbachmann/cel-js';
import { type CelObject, celError } from './values.ts';

class AddrParseError extends Error {}

function parseIPv4(text: string, whole: string): number[] {
  const fields = text.split('.');
  if (fields.length > 4)
    throw new AddrParseError(`ParseAddr(${JSON.stringify(whole)}): IPv4 address too long`);
  if (fields.length < 4)
    throw new AddrParseError(`ParseAddr(${JSON.stringify(whole)}): IPv4 address too short`);
  return fields.map((field) => {
    if (!/^\d{1,3}$/.test(field)) {
      throw new AddrParseError(`ParseAddr(${JSON.stringify(whole)}): unexpected character`);
    }
    if (field.length > 1 && field[0] === '0') {
      throw new AddrParseError(
        `ParseAddr(${JSON.stringify(whole)}): IPv4 field has octet with leading zero`,
      );
    }
    const value = Number(field);
    if (value > 255)
      throw new AddrParseError(`ParseAddr(${JSON.stringify(whole)}): IPv4 field has value >255`);
    return value;
  });
}

function parseIPv6(text: string): number[] {
  const fail = (why: string): never => {
    throw new AddrParseError(`ParseAddr(${JSON.stringify(text)}): ${why}`);
  };
  if (text.includes('%')) fail('IPv6 zone is not allowed');
  const halves = text.split('::');
  if (halves.length > 2) {
    const at = text.indexOf(':::');
    fail(
      `each colon-separated field must have at least one digit (at ${JSON.stringify(text.slice(at + 2))})`,
    );
  }
  const groups = (part: string): number[] => {
    if (part === '') return [];
    const fields = part.split(':');
    const out: number[] = [];
    fields.forEach((field, i) => {
      if (i === fields.length - 1 && field.includes('.')) {
        const v4 = parseIPv4(field, text);
        out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
        return;
      }
      if (field === '') {
        const rest = JSON.stringify(fields.slice(i).join(':'));
        fail(`each colon-separated field must have at least one digit (at ${rest})`);
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(field)) fail(`each group must have 4 or less digits`);
      out.push(Number.parseInt(field, 16));
    });
    return out;
  };
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) {
    fail(missing < 0 ? 'IPv6 address too long' : 'IPv6 address too short');
  }
  const all = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return all.flatMap((group) => [group >> 8, group & 0xff]);
}

function parseAddr(text: string): number[] {
  if (text === '') throw new AddrParseError('ParseAddr(""): unable to parse IP');
  if (text.includes(':')) return parseIPv6(text);
  return parseIPv4(text, text);
}

function ipv6String(bytes: readonly number[]): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength && j - i >= 2) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

export class IP implements CelObject {
  readonly celTypeName = 'net.IP';

  constructor(readonly bytes: readonly number[]) {}

  static parse(text: string): IP {
    let bytes: number[];
    try {
      bytes = parseAddr(text);
    } catch (error) {
      if (error instanceof AddrParseError) {
        throw celError(
          'invalid_argument',
          `IP Address ${JSON.stringify(text)} parse error during conversion from string: ${error.message}`,
        );
      }
      throw error;
    }
    const ip = new IP(bytes);
    if (ip.isIPv4Mapped()) {
      throw celError(
        'invalid_argument',
        `IP Address ${JSON.stringify(text)} parse error during conversion from string: IPv4-mapped IPv6 address is not allowed`,
      );
    }
    return ip;
  }

  isIPv4Mapped(): boolean {
    return (
      this.bytes.length === 16 &&
      this.bytes.slice(0, 10).every((b) => b === 0) &&
      this.bytes[10] === 0xff &&
      this.bytes[11] === 0xff
    );
  }

  get family(): 4 | 6 {
    return this.bytes.length === 4 ? 4 : 6;
  }

  toString(): string {
    return this.family === 4 ? this.bytes.join('.') : ipv6String(this.bytes);
  }

  celEquals(other: unknown): boolean {
    return (
      other instanceof IP &&
      other.bytes.length === this.bytes.length &&
      other.bytes.every((b, i) => b === this.bytes[i])
    );
  }

  isUnspecified(): boolean {
    return this.bytes.every((b) => b === 0);
  }

  isLoopback(): boolean {
    if (this.family === 4) return this.bytes[0] === 127;
    return this.bytes.slice(0, 15).every((b) => b === 0) && this.bytes[15] === 1;
  }

  isMulticast(): boolean {
    if (this.family === 4) return ((this.bytes[0] ?? 0) & 0xf0) === 0xe0;
    return this.bytes[0] === 0xff;
  }

  isLinkLocalMulticast(): boolean {
    if (this.family === 4)
      return this.bytes[0] === 224 && this.bytes[1] === 0 && this.bytes[2] === 0;
    return this.bytes[0] === 0xff && ((this.bytes[1] ?? 0) & 0x0f) === 0x02;
  }

  isLinkLocalUnicast(): boolean {
    if (this.family === 4) return this.bytes[0] === 169 && this.bytes[1] === 254;
    return this.bytes[0] === 0xfe && ((this.bytes[1] ?? 0) & 0xc0) === 0x80;
  }

  isGlobalUnicast(): boolean {
    if (this.family === 4 && this.bytes.every((b) => b === 255)) return false;
    return !(
      this.isUnspecified() ||
      this.isLoopback() ||
      this.isMulticast() ||
      this.isLinkLocalUnicast()
    );
  }
}

export class CIDR implements CelObject {
  readonly celTypeName = 'net.CIDR';

  constructor(
    readonly address: IP,
    readonly bits: number,
  ) {}

  static parse(text: string): CIDR {
    const fail = (why: string): never => {
      throw celError(
        'invalid_argument',
        `network address parse error during conversion from string: netip.ParsePrefix(${JSON.stringify(text)}): ${why}`,
      );
    };
    const slash = text.lastIndexOf('/');
    if (slash < 0) fail("no '/'");
    const bitsText = text.slice(slash + 1);
    let bytes: number[] = [];
    try {
      bytes = parseAddr(text.slice(0, slash));
    } catch (error) {
      if (error instanceof AddrParseError) fail(error.message);
      throw error;
    }
    const max = bytes.length * 8;
    if (!/^(0|[1-9]\d*)$/.test(bitsText) || Number(bitsText) > max) {
      fail(`bad bits after slash: ${JSON.stringify(bitsText)}`);
    }
    const address = new IP(bytes);
    if (address.isIPv4Mapped()) fail('IPv4-mapped IPv6 address is not allowed');
    return new CIDR(address, Number(bitsText));
  }

  masked(): CIDR {
    const bytes = this.address.bytes.map((b, i) => {
      const keep = Math.max(0, Math.min(8, this.bits - i * 8));
      return b & ((0xff << (8 - keep)) & 0xff);
    });
    return new CIDR(new IP(bytes), this.bits);
  }

  containsIP(ip: IP): boolean {
    if (ip.family !== this.address.family) return false;
    return new CIDR(ip, this.bits).masked().address.celEquals(this.masked().address);
  }

  containsCIDR(other: CIDR): boolean {
    return other.bits >= this.bits && this.containsIP(other.address);
  }

  toString(): string {
    return `${this.address}/${this.bits}`;
  }

  celEquals(other: unknown): boolean {
    return (
      other instanceof CIDR && other.bits === this.bits && other.address.celEquals(this.address)
    );
  }
}

/** Receiver type of `ip.isCanonical(...)`; `ip` is also a function name, which CEL allows. */
export class IPNamespace {}

function isValid(parse: (text: string) => unknown, text: string): boolean {
  try {
    parse(text);
    return true;
  } catch {
    return false;
  }
}

export function registerIPAndCIDR(env: Environment): void {
  env.registerType('net.IP', IP);
  env.registerType('net.CIDR', CIDR);
  env.registerOperator('net.IP == net.IP', (a: IP, b: IP) => a.celEquals(b));
  env.registerOperator('net.CIDR == net.CIDR', (a: CIDR, b: CIDR) => a.celEquals(b));

  env.registerFunction('ip(string): net.IP', IP.parse);
  env.registerFunction('isIP(string): bool', (text: string) => isValid(IP.parse, text));
  env.registerType('kubernetes.IPNamespace', IPNamespace);
  env.registerConstant('ip', 'kubernetes.IPNamespace', new IPNamespace());
  env.registerFunction(
    'kubernetes.IPNamespace.isCanonical(string): bool',
    (_ns: IPNamespace, text: string) => IP.parse(text).toString() === text,
  );
  env.registerFunction('string(net.IP): string', (ip: IP) => ip.toString());
  env.registerFunction('net.IP.family(): int', (ip: IP) => BigInt(ip.family));
  env.registerFunction('net.IP.isUnspecified(): bool', (ip: IP) => ip.isUnspecified());
  env.registerFunction('net.IP.isLoopback(): bool', (ip: IP) => ip.isLoopback());
  env.registerFunction('net.IP.isLinkLocalMulticast(): bool', (ip: IP) =>
    ip.isLinkLocalMulticast(),
  );
  env.registerFunction('net.IP.isLinkLocalUnicast(): bool', (ip: IP) => ip.isLinkLocalUnicast());
  env.registerFunction('net.IP.isGlobalUnicast(): bool', (ip: IP) => ip.isGlobalUnicast());

  env.registerFunction('cidr(string): net.CIDR', CIDR.parse);
  env.registerFunction('isCIDR(string): bool', (text: string) => isValid(CIDR.parse, text));
  env.registerFunction('string(net.CIDR): string', (cidr: CIDR) => cidr.toString());
  env.registerFunction('net.CIDR.containsIP(net.IP): bool', (c: CIDR, ip: IP) => c.containsIP(ip));
  env.registerFunction('net.CIDR.containsIP(string): bool', (c: CIDR, text: string) =>
    c.containsIP(IP.parse(text)),
  );
  env.registerFunction('net.CIDR.containsCIDR(net.CIDR): bool', (c: CIDR, o: CIDR) =>
    c.containsCIDR(o),
  );
  env.registerFunction('net.CIDR.containsCIDR(string): bool', (c: CIDR, text: string) =>
    c.containsCIDR(CIDR.parse(text)),
  );
  env.registerFunction('net.CIDR.ip(): net.IP', (c: CIDR) => c.address);
  env.registerFunction('net.CIDR.masked(): net.CIDR', (c: CIDR) => c.masked());
  env.registerFunction('net.CIDR.prefixLength(): int', (c: CIDR) => BigInt(c.bits));

  // `net.IP` / `net.CIDR` as type values, the way cel-js exposes `google.protobuf.*`.
  const ipType = env.evaluate('type(ip("0.0.0.0"))');
  const cidrType = env.evaluate('type(cidr("0.0.0.0/0"))');
  env.registerConstant('net', 'map<string, type>', { IP: ipType, CIDR: cidrType });
}
