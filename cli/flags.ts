// Turns defaults, a YAML config file, ORKA_* environment variables and command-line flags into one
// typed value map, in that order of precedence (DESIGN §11).
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

export type FlagType = 'string' | 'boolean' | 'int' | 'list';

export interface FlagSpec {
  /** kebab-case, without the leading dashes */
  name: string;
  type: FlagType;
  default: string | boolean | number | string[];
  description: string;
  /** list flags: each occurrence adds values instead of replacing them */
  repeatable?: boolean;
  /** one-letter alias, e.g. `o` for `-o` */
  short?: string;
  /** allowed values for string flags */
  choices?: readonly string[];
}

export type FlagValue = string | boolean | number | string[];
export type FlagValues = Record<string, FlagValue>;

export interface ParsedCommandLine {
  values: FlagValues;
  positionals: string[];
}

/** A mistake in how the command was called: reported on stderr with exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const configFlag: FlagSpec = {
  name: 'config',
  type: 'string',
  default: '',
  description: 'YAML file whose camelCase keys set any flag of this command',
};

export function envName(flag: string): string {
  return `ORKA_${flag.replaceAll('-', '_').toUpperCase()}`;
}

export function camelName(flag: string): string {
  return flag.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function convert(spec: FlagSpec, raw: unknown, source: string): FlagValue {
  const where = `${source} (--${spec.name})`;
  switch (spec.type) {
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      const text = String(raw).trim().toLowerCase();
      if (text === 'true' || text === '1') return true;
      if (text === 'false' || text === '0') return false;
      throw new UsageError(`${where}: expected true or false, got "${String(raw)}"`);
    }
    case 'int': {
      const text = String(raw).trim();
      if (!/^-?\d+$/.test(text))
        throw new UsageError(`${where}: expected an integer, got "${text}"`);
      const value = Number(text);
      if (!Number.isSafeInteger(value)) throw new UsageError(`${where}: ${text} is out of range`);
      return value;
    }
    case 'list': {
      const items = Array.isArray(raw) ? raw.map(String) : String(raw).split(',');
      return items.map((item) => item.trim()).filter((item) => item !== '');
    }
    case 'string': {
      if (typeof raw === 'object' && raw !== null) {
        throw new UsageError(`${where}: expected a string`);
      }
      const text = String(raw);
      if (spec.choices && !spec.choices.includes(text)) {
        throw new UsageError(`${where}: "${text}" is not one of ${spec.choices.join(', ')}`);
      }
      return text;
    }
  }
}

function readConfigFile(path: string, specs: Map<string, FlagSpec>): FlagValues {
  let document: unknown;
  try {
    document = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`--config ${path}: ${(error as Error).message}`);
  }
  if (document === null || document === undefined) return {};
  if (typeof document !== 'object' || Array.isArray(document)) {
    throw new UsageError(`--config ${path}: expected a YAML mapping of flag names to values`);
  }
  const byCamel = new Map([...specs.values()].map((spec) => [camelName(spec.name), spec]));
  const values: FlagValues = {};
  for (const [key, raw] of Object.entries(document)) {
    const spec = byCamel.get(key);
    if (!spec) throw new UsageError(`--config ${path}: unknown key "${key}"`);
    values[spec.name] = convert(spec, raw, `--config ${path}: key ${key}`);
  }
  return values;
}

/**
 * Parses argv for a command whose flags are `specs`. `env` is usually process.env.
 * Booleans take `--x`, `--x=true|false` and `--no-x`; other flags take `--x v` or `--x=v`.
 */
export function parseCommandLine(
  flagSpecs: readonly FlagSpec[],
  argv: readonly string[],
  env: Record<string, string | undefined> = process.env,
): ParsedCommandLine {
  const specs = new Map<string, FlagSpec>();
  for (const spec of [configFlag, ...flagSpecs]) specs.set(spec.name, spec);
  const shorts = new Map([...specs.values()].filter((s) => s.short).map((s) => [s.short!, s]));

  const fromFlags: FlagValues = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const [rawName, inlineValue] = splitOnce(arg.replace(/^--?/, ''), '=');
    let spec = arg.startsWith('--') ? specs.get(rawName) : shorts.get(rawName);
    let value: unknown = inlineValue;
    if (!spec && rawName.startsWith('no-') && inlineValue === undefined) {
      const negated = specs.get(rawName.slice(3));
      if (negated?.type === 'boolean') {
        spec = negated;
        value = false;
      }
    }
    if (!spec) throw new UsageError(`unknown flag ${arg.split('=')[0]}`);
    if (value === undefined) {
      if (spec.type === 'boolean') value = true;
      else {
        const next = argv[i + 1];
        if (next === undefined) throw new UsageError(`flag --${spec.name} needs a value`);
        value = next;
        i++;
      }
    }
    const converted = convert(spec, value, 'command line');
    const previous = fromFlags[spec.name];
    fromFlags[spec.name] =
      spec.repeatable && Array.isArray(previous) && Array.isArray(converted)
        ? [...previous, ...converted]
        : converted;
  }

  const fromEnv: FlagValues = {};
  for (const spec of specs.values()) {
    const raw = env[envName(spec.name)];
    if (raw !== undefined && raw !== '') {
      fromEnv[spec.name] = convert(spec, raw, `environment ${envName(spec.name)}`);
    }
  }

  const configPath = (fromFlags.config ?? fromEnv.config ?? '') as string;
  const fromFile = configPath ? readConfigFile(configPath, specs) : {};

  const values: FlagValues = {};
  for (const spec of specs.values()) values[spec.name] = spec.default;
  Object.assign(values, fromFile, fromEnv, fromFlags);
  return { values, positionals };
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

export function usage(command: string, summary: string, specs: readonly FlagSpec[]): string {
  const lines = [`usage: orka ${command} [flags]`, '', summary, '', 'flags:'];
  for (const spec of [...specs, configFlag]) {
    const short = spec.short ? `-${spec.short}, ` : '';
    const shown = Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default);
    const fallback = shown === '' ? '' : ` (default ${shown})`;
    lines.push(`  ${short}--${spec.name}  ${spec.description}${fallback}`);
  }
  return lines.join('\n');
}
