import { createHash } from 'node:crypto';

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function selectorValue(value: string): string {
  const trimmed = value.trim();
  if (trimmed.length <= 63 && LABEL_VALUE.test(trimmed)) return trimmed;
  const normalised =
    trimmed
      .toLowerCase()
      .replace(/[^a-z0-9\-_.]/g, '-')
      .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '') || 'label';
  if (normalised.length <= 63) return normalised;
  const hash = createHash('sha256').update(value).digest('hex').slice(0, 12);
  return `${normalised.slice(0, 50).replace(/[^a-z0-9]+$/, '')}-${hash}`;
}
