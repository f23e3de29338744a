// The worker's log: one line per event on stderr, every line redacted. stdout carries only the
// runtime's own output (tee'd, also redacted), so the Pod log reads like the agent's transcript.
import { Redactor } from './redact.ts';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  /** later-discovered secrets (the git token, the SA token) join the redaction set */
  setRedactor(redactor: Redactor): void;
  readonly redactor: Redactor;
}

export function createLogger(stderr: NodeJS.WritableStream, redactor = new Redactor([])): Logger {
  let current = redactor;
  const write = (level: string, message: string) => {
    stderr.write(current.redact(`orka worker: ${level}${message}\n`));
  };
  return {
    info: (message) => write('', message),
    warn: (message) => write('warning: ', message),
    setRedactor: (next) => {
      current = next;
    },
    get redactor() {
      return current;
    },
  };
}
