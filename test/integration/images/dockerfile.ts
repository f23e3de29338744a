// A small Dockerfile reader for the image tests: instructions with continuation lines joined,
// split into build stages, JSON (exec) forms parsed.

export interface Instruction {
  keyword: string;
  /** the rest of the line, continuation lines joined with a space */
  value: string;
  line: number;
}

export interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const instructions: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (pending === undefined && (line === '' || line.startsWith('#'))) return;
    if (pending !== undefined && line.startsWith('#')) return;
    const continued = line.endsWith('\\');
    const content = continued ? line.slice(0, -1).trim() : line;
    pending = pending
      ? { ...pending, text: `${pending.text} ${content}` }
      : { text: content, line: index + 1 };
    if (continued) return;
    const match = /^(\S+)\s*(.*)$/s.exec(pending.text);
    if (match) {
      instructions.push({ keyword: match[1]!.toUpperCase(), value: match[2]!, line: pending.line });
    }
    pending = undefined;
  });
  if (pending !== undefined) throw new Error(`line ${pending.line}: continuation never ends`);

  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [image, as, name] = instruction.value.split(/\s+/);
      const from = image!.replace(/\$\{(\w+)\}/g, (_, arg: string) => args.get(arg) ?? '');
      stages.push({ from, ...(as?.toUpperCase() === 'AS' ? { name } : {}), instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG') {
        throw new Error(`line ${instruction.line}: ${instruction.keyword} before the first FROM`);
      }
      const [arg, value] = instruction.value.split('=');
      args.set(arg!, value ?? '');
    } else {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  if (stages.length === 0) throw new Error('no FROM instruction');
  return stages;
}

/** The last value of an instruction in a stage (Docker's rule for USER, WORKDIR, ENTRYPOINT...). */
export function last(stage: Stage, keyword: string): string | undefined {
  return stage.instructions.filter((i) => i.keyword === keyword).at(-1)?.value;
}

export function all(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.value);
}

/** The exec (JSON array) form of ENTRYPOINT/CMD; the shell form is refused. */
export function execForm(value: string | undefined): string[] {
  if (value === undefined) throw new Error('instruction missing');
  const parsed: unknown = JSON.parse(value);
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) {
    throw new Error(`not an exec-form JSON array of strings: ${value}`);
  }
  return parsed;
}

/** ENV in `K=V K2=V2` form (the only one the images use). */
export function environment(stage: Stage): Map<string, string> {
  const env = new Map<string, string>();
  for (const value of all(stage, 'ENV')) {
    for (const pair of value.split(/\s+/)) {
      const at = pair.indexOf('=');
      if (at <= 0) throw new Error(`ENV ${value}: use KEY=VALUE pairs`);
      env.set(pair.slice(0, at), pair.slice(at + 1));
    }
  }
  return env;
}

/** The default value of a stage's ARG. */
export function argDefault(stage: Stage, name: string): string | undefined {
  for (const value of all(stage, 'ARG')) {
    const [arg, fallback] = value.split('=');
    if (arg === name) return fallback;
  }
  return undefined;
}
