// The log of `orka webhook`: pino's JSON lines on stderr. Every review writes one decision line,
// the only output of a review besides its answer, so that line is made and written the cheap way
// (webhook bench, in-process, built-ins + 50 policies: pino's formatting and a write(2) per line
// cost about a fifth of a review's CPU):
// - it is formatted by JSON.stringify, in pino's format (level, time, bindings, fields, msg),
//   which costs less than pino's generic serializer for these flat fields;
// - lines are gathered into writes of up to PIPE_BUF bytes, so a write stays atomic on a pipe and
//   the lines of several workers sharing stderr never interleave. What is gathered is written
//   within FLUSH_INTERVAL_MS, and at once when the process exits or the webhook closes.
import { type Logger, pino } from 'pino';
import type { DecisionLogger } from './handler.ts';

/** Lines wait at most this long to be written. */
export const FLUSH_INTERVAL_MS = 100;
/** The size up to which Linux writes to a pipe atomically. */
const PIPE_BUF = 4096;

export interface WebhookLog {
  logger: Logger;
  /** what the review handler logs through */
  decisions: DecisionLogger;
  /** writes what is gathered and stops the flush timer */
  close(): void;
}

export function createWebhookLog(fd = 2): WebhookLog {
  const destination = pino.destination({
    dest: fd,
    sync: true,
    minLength: PIPE_BUF - 1024,
    maxWrite: PIPE_BUF,
  });
  const logger = pino({ base: { component: 'orka-webhook' } }, destination);
  // flushSync also fsyncs a file, so the timer uses flush, which only writes
  const flush = () => destination.flushSync();
  const timer = setInterval(() => destination.flush(), FLUSH_INTERVAL_MS).unref();
  process.once('exit', flush);
  return {
    logger,
    decisions: decisionLines(logger, destination),
    close() {
      clearInterval(timer);
      process.removeListener('exit', flush);
      flush();
    },
  };
}

/** info lines formatted by JSON.stringify as pino would format them; warn lines through pino. */
function decisionLines(logger: Logger, destination: { write(line: string): unknown }) {
  const bindings = logger.bindings();
  const level = logger.levels.values.info;
  return {
    info(fields: Record<string, unknown>, message: string) {
      if (!logger.isLevelEnabled('info')) return;
      destination.write(
        `${JSON.stringify({ level, time: Date.now(), ...bindings, ...fields, msg: message })}\n`,
      );
    },
    warn: (fields: Record<string, unknown>, message: string) => logger.warn(fields, message),
  } satisfies DecisionLogger;
}
