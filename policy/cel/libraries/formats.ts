// Kubernetes' format library: `format.<name>()` returns a named format and
// `<Format>.validate(string)` returns optional.none() when the string is valid, otherwise
// optional.of(list of the apiserver's validation messages, worded as apimachinery words them).
import { type Environment, Optional } from '@marcbachmann/cel-js';
import { KubernetesURL, UrlParseError } from './url.ts';
import type { CelObject } from './values.ts';

function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

function regexError(message: string, pattern: string, ...examples: string[]): string {
  if (examples.length === 0) return `${message} (regex used for validation is '${pattern}')`;
  const shown = examples.map((e) => `'${e}', `).join(' or ');
  return `${message} (e.g. ${shown}regex used for validation is '${pattern}')`;
}

const EMPTY_ERROR = 'must be non-empty';

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const DNS1035_LABEL_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QUALIFIED_NAME_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT = '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?';
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

const whole = (pattern: string) => new RegExp(`^${pattern}$`);
const DNS1123_LABEL = whole(DNS1123_LABEL_FMT);
const DNS1123_SUBDOMAIN = whole(DNS1123_SUBDOMAIN_FMT);
const DNS1035_LABEL = whole(DNS1035_LABEL_FMT);
const QUALIFIED_NAME = whole(QUALIFIED_NAME_FMT);
const LABEL_VALUE = whole(LABEL_VALUE_FMT);

function isDNS1123Label(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push(maxLenError(63));
  if (!DNS1123_LABEL.test(value)) {
    errors.push(regexError(DNS1123_LABEL_MSG, DNS1123_LABEL_FMT, 'my-name', '123-abc'));
  }
  return errors;
}

function isDNS1123Subdomain(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 253) errors.push(maxLenError(253));
  if (!DNS1123_SUBDOMAIN.test(value)) {
    errors.push(regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, 'example.com'));
  }
  return errors;
}

function isDNS1035Label(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push(maxLenError(63));
  if (!DNS1035_LABEL.test(value)) {
    errors.push(regexError(DNS1035_LABEL_MSG, DNS1035_LABEL_FMT, 'my-name', 'abc-123'));
  }
  return errors;
}

function isQualifiedName(value: string): string[] {
  const errors: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0] ?? '';
  } else if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix.length === 0) errors.push(`prefix part ${EMPTY_ERROR}`);
    else errors.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [
      `a qualified name ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errors.push(`name part ${EMPTY_ERROR}`);
  else if (name.length > 63) errors.push(`name part ${maxLenError(63)}`);
  if (!QUALIFIED_NAME.test(name)) {
    errors.push(
      `name part ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`,
    );
  }
  return errors;
}

function isValidLabelValue(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push(maxLenError(63));
  if (!LABEL_VALUE.test(value)) {
    errors.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  }
  return errors;
}

/** apimachinery's maskTrailingDash: a generateName prefix may end in '-'. */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

function validateURI(value: string): string[] {
  try {
    KubernetesURL.parseGo(value, true);
    return [];
  } catch (error) {
    if (error instanceof UrlParseError) return [`parse ${JSON.stringify(value)}: ${error.message}`];
    throw error;
  }
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function isDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}

// strfmt's date-time layouts: RFC 3339 with an optional fraction, 'T', 't' or ' ' between date and
// time, and 'Z', 'z' or a numeric offset.
const DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})[Tt ]([01]\d|2[0-3]):([0-5]\d):([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

function isDateTime(value: string): boolean {
  const match = DATE_TIME.exec(value);
  return match !== null && isDate(match[1] ?? '');
}

export class Format implements CelObject {
  readonly celTypeName = 'kubernetes.NamedFormat';

  constructor(
    readonly name: string,
    readonly validate: (value: string) => string[],
  ) {}

  celEquals(other: unknown): boolean {
    return other instanceof Format && other.name === this.name;
  }
}

const check = (ok: (value: string) => boolean, message: string) => (value: string) =>
  ok(value) ? [] : [message];

export const NAMED_FORMATS: ReadonlyMap<string, Format> = new Map(
  (
    [
      ['dns1123Label', 'DNS1123Label', isDNS1123Label],
      ['dns1123Subdomain', 'DNS1123Subdomain', isDNS1123Subdomain],
      ['dns1035Label', 'DNS1035Label', isDNS1035Label],
      ['qualifiedName', 'QualifiedName', isQualifiedName],
      ['dns1123LabelPrefix', 'DNS1123LabelPrefix', (s) => isDNS1123Label(maskTrailingDash(s))],
      [
        'dns1123SubdomainPrefix',
        'DNS1123SubdomainPrefix',
        (s) => isDNS1123Subdomain(maskTrailingDash(s)),
      ],
      ['dns1035LabelPrefix', 'DNS1035LabelPrefix', (s) => isDNS1035Label(maskTrailingDash(s))],
      ['labelValue', 'LabelValue', isValidLabelValue],
      ['uri', 'URI', validateURI],
      ['uuid', 'uuid', check((s) => UUID.test(s), 'does not match the UUID format')],
      ['byte', 'byte', check((s) => BASE64.test(s), 'invalid base64')],
      ['date', 'date', check(isDate, 'invalid date')],
      ['datetime', 'datetime', check(isDateTime, 'invalid datetime')],
    ] as const satisfies readonly (readonly [string, string, (s: string) => string[]])[]
  ).map(([key, name, validate]) => [key, new Format(name, validate)]),
);

/** Receiver type of `format.<name>()`: CEL has no namespaces, so `format` is a constant. */
export class FormatNamespace {}

export function registerFormats(env: Environment): void {
  const F = 'kubernetes.NamedFormat';
  env.registerType(F, Format);
  env.registerType('kubernetes.FormatNamespace', FormatNamespace);
  env.registerConstant('format', 'kubernetes.FormatNamespace', new FormatNamespace());
  for (const [key, format] of NAMED_FORMATS) {
    env.registerFunction(`kubernetes.FormatNamespace.${key}(): ${F}`, () => format);
  }
  env.registerFunction(
    `kubernetes.FormatNamespace.named(string): optional<${F}>`,
    (_ns: FormatNamespace, name: string) => {
      const format = NAMED_FORMATS.get(name);
      return format ? Optional.of(format) : Optional.none();
    },
  );
  env.registerFunction(`${F}.validate(string): optional<list<string>>`, (f: Format, s: string) => {
    const errors = f.validate(s);
    return errors.length === 0 ? Optional.none() : Optional.of(errors);
  });
}
