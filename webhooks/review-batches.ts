// Reviews that arrive in one event-loop turn are evaluated back to back, and only then answered.
// Why: writing an answer runs TLS and HTTP code that pushes the policy engine out of the CPU's
// caches, so evaluating between two writes made every review pay to bring it back. Evaluating a
// whole turn's reviews first cut the server's CPU per review by a quarter to a third
// (webhook bench; numbers in the #4 closing note). A review that arrives alone waits for nothing:
// its turn's check phase follows the poll phase that read it.
import type { Endpoint, HandlerAnswer } from './handler.ts';

/** The part of a fastify reply the batch writes to. */
export interface PendingReply {
  code(statusCode: number): PendingReply;
  type(contentType: string): PendingReply;
  send(payload: string | Error): unknown;
}

interface PendingReview {
  endpoint: Endpoint;
  text: string;
  reply: PendingReply;
}

/**
 * At most this many reviews are evaluated before their answers are written, so the first review of
 * a large burst waits for the evaluation of a bounded number of others.
 */
export const MAX_BATCH = 32;

type Evaluation = { answer: HandlerAnswer } | { error: Error };

export class ReviewBatches {
  readonly #queue: PendingReview[] = [];
  readonly #handle: (endpoint: Endpoint, text: string) => HandlerAnswer;

  constructor(handle: (endpoint: Endpoint, text: string) => HandlerAnswer) {
    this.#handle = handle;
  }

  submit(endpoint: Endpoint, text: string, reply: PendingReply): void {
    if (this.#queue.length === 0) setImmediate(this.#drain);
    this.#queue.push({ endpoint, text, reply });
  }

  readonly #drain = (): void => {
    const batch = this.#queue.splice(0, MAX_BATCH);
    if (this.#queue.length > 0) setImmediate(this.#drain);
    const evaluations = batch.map(({ endpoint, text }): Evaluation => {
      try {
        return { answer: this.#handle(endpoint, text) };
      } catch (error) {
        return { error: error instanceof Error ? error : new Error(String(error)) };
      }
    });
    batch.forEach(({ reply }, index) => {
      const evaluation = evaluations[index] as Evaluation;
      // an Error goes to the server's error handler, as a route's throw would
      if ('error' in evaluation) reply.send(evaluation.error);
      else
        reply
          .code(evaluation.answer.statusCode)
          .type('application/json')
          .send(evaluation.answer.body);
    });
  };
}
