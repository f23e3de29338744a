// Kubernetes' URL library over a port of the parts of Go's net/url it relies on: url() and
// isURL() accept what url.ParseRequestURI accepts (an absolute URI or an absolute path), and the
// getters return what url.Parse reports.
import type { Environment } from '@marcbachmann/cel-js';
import { type CelObject, celError } from './values.ts';

export class UrlParseError extends Error {}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

const HEX = /^[0-9a-fA-F]{2}$/;

function percentDecode(text: string, mode: 'path' | 'host' | 'query'): string {
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (ch === '%') {
      const hex = text.slice(i + 1, i + 3);
      if (!HEX.test(hex)) {
        throw new UrlParseError(`invalid URL escape ${JSON.stringify(text.slice(i, i + 3))}`);
      }
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
      continue;
    }
    if (mode === 'host' && ch < '\x80' && !/[A-Za-z0-9\-_.~!$&'()*+,;=:[\]<>"]/.test(ch)) {
      throw new UrlParseError(`invalid character ${JSON.stringify(ch)} in host name`);
    }
    if (mode === 'query' && ch === '+') {
      bytes.push(0x20);
      continue;
    }
    bytes.push(...encoder.encode(ch));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

const PATH_SAFE = /[A-Za-z0-9\-_.~$&+,/:;=@]/;
const PATH_VALID_ENCODED = /^(?:[A-Za-z0-9\-_.~!$&'()*+,;=:@[\]/]|%[0-9a-fA-F]{2})*$/;

function escapePath(path: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(path)) {
    const ch = String.fromCharCode(byte);
    out +=
      byte < 0x80 && PATH_SAFE.test(ch)
        ? ch
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function validOptionalPort(port: string): boolean {
  return port === '' || /^:\d*$/.test(port);
}

function parseHost(host: string): string {
  if (host.startsWith('[')) {
    const close = host.lastIndexOf(']');
    if (close < 0) throw new UrlParseError("missing ']' in host");
    const port = host.slice(close + 1);
    if (!validOptionalPort(port))
      throw new UrlParseError(`invalid port ${JSON.stringify(port)} after host`);
  } else {
    const colon = host.lastIndexOf(':');
    if (colon >= 0) {
      const port = host.slice(colon);
      if (!validOptionalPort(port)) {
        throw new UrlParseError(`invalid port ${JSON.stringify(port)} after host`);
      }
    }
  }
  return percentDecode(host, 'host');
}

function splitScheme(raw: string): [string, string] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] ?? '';
    if (/[A-Za-z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) return ['', raw];
      continue;
    }
    if (c === ':') {
      if (i === 0) throw new UrlParseError('missing protocol scheme');
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    return ['', raw];
  }
  return ['', raw];
}

export class KubernetesURL implements CelObject {
  readonly celTypeName = 'kubernetes.URL';

  constructor(
    readonly scheme: string,
    readonly host: string,
    readonly rawPath: string,
    readonly rawQuery: string,
    readonly opaque: string,
  ) {}

  /** Go's url.Parse(ParseRequestURI-checked string): `viaRequest` is ParseRequestURI's mode. */
  static parseGo(raw: string, viaRequest: boolean): KubernetesURL {
    if (hasControlCharacter(raw))
      throw new UrlParseError('net/url: invalid control character in URL');
    let text = raw;
    if (!viaRequest) {
      const hash = text.indexOf('#');
      if (hash >= 0) text = text.slice(0, hash);
    }
    if (text === '' && viaRequest) throw new UrlParseError('empty url');
    if (text === '*') return new KubernetesURL('', '', '*', '', '');
    const [schemeText, afterScheme] = splitScheme(text);
    const scheme = schemeText.toLowerCase();
    let rest = afterScheme;
    let rawQuery = '';
    const question = rest.indexOf('?');
    if (question >= 0) {
      rawQuery = rest.slice(question + 1);
      rest = rest.slice(0, question);
    }
    if (!rest.startsWith('/')) {
      if (scheme !== '') return new KubernetesURL(scheme, '', '', rawQuery, rest);
      if (viaRequest) throw new UrlParseError('invalid URI for request');
      const colon = rest.indexOf(':');
      const slash = rest.indexOf('/');
      if (colon >= 0 && (slash < 0 || colon < slash)) {
        throw new UrlParseError('first path segment in URL cannot contain colon');
      }
    }
    let host = '';
    if ((scheme !== '' || (!viaRequest && !rest.startsWith('///'))) && rest.startsWith('//')) {
      const afterSlashes = rest.slice(2);
      const slash = afterSlashes.indexOf('/');
      const authority = slash >= 0 ? afterSlashes.slice(0, slash) : afterSlashes;
      rest = slash >= 0 ? afterSlashes.slice(slash) : '';
      const at = authority.lastIndexOf('@');
      const userinfo = at >= 0 ? authority.slice(0, at) : '';
      if (at >= 0 && !/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(userinfo)) {
        throw new UrlParseError('net/url: invalid userinfo');
      }
      host = parseHost(at >= 0 ? authority.slice(at + 1) : authority);
    }
    percentDecode(rest, 'path');
    return new KubernetesURL(scheme, host, rest, rawQuery, '');
  }

  static parse(raw: string): KubernetesURL {
    try {
      KubernetesURL.parseGo(raw, true);
      return KubernetesURL.parseGo(raw, false);
    } catch (error) {
      if (error instanceof UrlParseError) {
        throw celError(
          'invalid_argument',
          `URL parse error during conversion from string: parse ${JSON.stringify(raw)}: ${error.message}`,
        );
      }
      throw error;
    }
  }

  hostname(): string {
    const [host] = this.splitHostPort();
    return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  }

  port(): string {
    return this.splitHostPort()[1];
  }

  private splitHostPort(): [string, string] {
    const colon = this.host.lastIndexOf(':');
    if (colon >= 0 && validOptionalPort(this.host.slice(colon))) {
      return [this.host.slice(0, colon), this.host.slice(colon + 1)];
    }
    return [this.host, ''];
  }

  escapedPath(): string {
    if (PATH_VALID_ENCODED.test(this.rawPath)) return this.rawPath;
    return escapePath(percentDecode(this.rawPath, 'path'));
  }

  /** Go's url.ParseQuery: pairs with bad escapes or a ';' are dropped. */
  query(): Record<string, string[]> {
    const result: Record<string, string[]> = Object.create(null);
    for (const pair of this.rawQuery.split('&')) {
      if (pair === '' || pair.includes(';')) continue;
      const equals = pair.indexOf('=');
      const rawKey = equals >= 0 ? pair.slice(0, equals) : pair;
      const rawValue = equals >= 0 ? pair.slice(equals + 1) : '';
      let key: string;
      let value: string;
      try {
        key = percentDecode(rawKey, 'query');
        value = percentDecode(rawValue, 'query');
      } catch {
        continue;
      }
      const existing = result[key];
      if (existing) existing.push(value);
      else result[key] = [value];
    }
    return result;
  }

  celEquals(other: unknown): boolean {
    return (
      other instanceof KubernetesURL &&
      other.scheme === this.scheme &&
      other.host === this.host &&
      other.rawPath === this.rawPath &&
      other.rawQuery === this.rawQuery &&
      other.opaque === this.opaque
    );
  }
}

function isURL(raw: string): boolean {
  try {
    KubernetesURL.parseGo(raw, true);
    return true;
  } catch (error) {
    if (error instanceof UrlParseError) return false;
    throw error;
  }
}

export function registerURLs(env: Environment): void {
  const U = 'kubernetes.URL';
  env.registerType(U, KubernetesURL);
  env.registerOperator(`${U} == ${U}`, (a: KubernetesURL, b: KubernetesURL) => a.celEquals(b));
  env.registerFunction(`url(string): ${U}`, KubernetesURL.parse);
  env.registerFunction('isURL(string): bool', isURL);
  env.registerFunction(`${U}.getScheme(): string`, (u: KubernetesURL) => u.scheme);
  env.registerFunction(`${U}.getHost(): string`, (u: KubernetesURL) => u.host);
  env.registerFunction(`${U}.getHostname(): string`, (u: KubernetesURL) => u.hostname());
  env.registerFunction(`${U}.getPort(): string`, (u: KubernetesURL) => u.port());
  env.registerFunction(`${U}.getEscapedPath(): string`, (u: KubernetesURL) => u.escapedPath());
  env.registerFunction(`${U}.getQuery(): map<string, list<string>>`, (u: KubernetesURL) =>
    u.query(),
  );
}
