// Sessions (DESIGN §12 X6/X7): the init container fetches the newest `maxMessages` messages of the
// session transcript; the worker gives them to the runtime as the conversation so far, ahead of
// the Task's prompt. The format is documented in worker/README.md ("Sessions").
import { readFile } from 'node:fs/promises';
import { SESSION_TRANSCRIPT_FILE } from '../reconcilers/job/constants.ts';

export { SESSION_TRANSCRIPT_FILE };
/** Session history beyond this many characters is cut, oldest messages first. */
export const MAX_HISTORY_CHARS = 96 * 1024;
export const DEFAULT_SESSION_MAX_MESSAGES = 50;

export interface TranscriptMessage {
  role: string;
  content: string;
}

export interface ParsedTranscript {
  messages: TranscriptMessage[];
  /** 1-based line numbers that were not a message object */
  skippedLines: number[];
}

/** JSON lines of `{"role","content",...}`; lines that are not such an object are skipped. */
export function parseTranscript(text: string): ParsedTranscript {
  const messages: TranscriptMessage[] = [];
  const skippedLines: number[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      const value = JSON.parse(line) as Partial<TranscriptMessage> | null;
      if (typeof value?.role === 'string' && typeof value.content === 'string') {
        messages.push({ role: value.role, content: value.content });
        return;
      }
    } catch {
      // counted below
    }
    skippedLines.push(index + 1);
  });
  return { messages, skippedLines };
}

/** The transcript file the init container wrote; none (no session, no file) is an empty one. */
export async function readTranscript(path: string): Promise<ParsedTranscript> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  return parseTranscript(text);
}

const renderMessage = (message: TranscriptMessage) =>
  `<message role="${message.role}">\n${message.content}\n</message>`;

/**
 * The prompt the runtime receives: the prior conversation (oldest first, trimmed to
 * MAX_HISTORY_CHARS by dropping the oldest messages), then the Task's prompt. Without history the
 * prompt is passed unchanged.
 */
export function composePrompt(prompt: string, history: readonly TranscriptMessage[]): string {
  const kept: string[] = [];
  let size = 0;
  for (let i = history.length - 1; i >= 0; i--) {
    const rendered = renderMessage(history[i]!);
    if (size + rendered.length > MAX_HISTORY_CHARS) break;
    kept.unshift(rendered);
    size += rendered.length + 1;
  }
  if (kept.length === 0) return prompt;
  const dropped = history.length - kept.length;
  const note = dropped > 0 ? ` (${dropped} older messages left out)` : '';
  return [
    `<conversation-history>${note}`,
    ...kept,
    '</conversation-history>',
    '',
    'Continue this conversation. The current request:',
    '',
    prompt,
  ].join('\n');
}
