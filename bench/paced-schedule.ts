// Open-loop pacing for the load generator, as wrk2 paces: request i is due at start + i / rate
// whether or not earlier answers have come back, and its latency counts from that moment. A request
// that finds no idle connection waits in line with its clock running, so a stalled server shows up
// as latency, not as fewer requests sent (the "coordinated omission" of closed-loop generators).

export class PacedSchedule {
  private taken = 0;

  constructor(
    private readonly startMs: number,
    private readonly ratePerSecond: number,
    /** how many requests the run sends */
    readonly total: number,
  ) {}

  private dueAt(index: number): number {
    return this.startMs + (index * 1000) / this.ratePerSecond;
  }

  /** The scheduled times of the requests due by `nowMs` that were not taken yet, in order. */
  takeDue(nowMs: number): number[] {
    const due: number[] = [];
    while (this.taken < this.total && this.dueAt(this.taken) <= nowMs) {
      due.push(this.dueAt(this.taken));
      this.taken++;
    }
    return due;
  }

  /** When the next request is due; undefined once every request was taken. */
  nextDueAt(): number | undefined {
    return this.taken < this.total ? this.dueAt(this.taken) : undefined;
  }
}

export interface Dispatch<C> {
  connection: C;
  /** the request's scheduled time: its latency counts from here */
  scheduledMs: number;
}

/** Idle connections and the requests waiting for one, first come, first served. */
export class ConnectionLine<C> {
  private readonly idle: C[];
  private readonly waiting: number[] = [];
  private head = 0;

  constructor(connections: readonly C[]) {
    this.idle = [...connections];
  }

  /** A connection for the request scheduled at `scheduledMs`, or undefined: it waits its turn. */
  offer(scheduledMs: number): Dispatch<C> | undefined {
    const connection = this.idle.pop();
    if (connection !== undefined) return { connection, scheduledMs };
    this.waiting.push(scheduledMs);
    return undefined;
  }

  /** `connection` is free again: the longest-waiting request takes it, if there is one. */
  release(connection: C): Dispatch<C> | undefined {
    if (this.head < this.waiting.length) {
      const scheduledMs = this.waiting[this.head++] as number;
      if (this.head === this.waiting.length) {
        this.waiting.length = 0;
        this.head = 0;
      }
      return { connection, scheduledMs };
    }
    this.idle.push(connection);
    return undefined;
  }

  get queued(): number {
    return this.waiting.length - this.head;
  }
}
