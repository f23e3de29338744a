// The `tctx` CEL variable: a Task's signed transaction context with its values parsed the way
// reference §3.5 reads them. Set-valued keys hold a JSON array of non-empty strings or a CSV
// string; `[]` is a real constraint that allows nothing, and a list with a non-string element is
// void (left out). Other keys are trimmed strings and count only when non-empty.

export const SET_VALUED_KEYS = [
  'allowedAgents',
  'allowedTools',
  'allowedProviders',
  'allowedModels',
];

export type TransactionContext = Record<string, string | string[]>;

function parseList(text: string): string[] | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      return undefined;
    }
    if (!Array.isArray(parsed)) return undefined;
    if (parsed.some((item) => typeof item !== 'string' || item.trim() === '')) return undefined;
    return parsed.map((item: string) => item.trim());
  }
  const items = trimmed
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  return items.length > 0 ? items : undefined;
}

/** `tctx` for a Task object: null without `spec.transaction`, else its parsed context. */
export function transactionContextOf(task: unknown): TransactionContext | null {
  const spec = (task as { spec?: { transaction?: { context?: unknown } } } | null)?.spec;
  const transaction = spec?.transaction;
  if (transaction === undefined || transaction === null) return null;
  const raw = transaction.context;
  const parsed: TransactionContext = {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return parsed;
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'string') continue;
    if (SET_VALUED_KEYS.includes(key)) {
      const list = parseList(value);
      if (list !== undefined) parsed[key] = list;
    } else if (value.trim() !== '') {
      parsed[key] = value.trim();
    }
  }
  return parsed;
}
