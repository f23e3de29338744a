// A clock driven by hand: timers fire only when the test advances time.
import type { Clock, TimerHandle } from '../../../reconcilers/runtime/clock.ts';

export class FakeClock implements Clock {
  private time = 0;
  private next = 0;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();
  /** Delay of every timer set, in order. */
  readonly delays: number[] = [];

  now(): number {
    return this.time;
  }
  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = this.next++;
    this.delays.push(ms);
    this.timers.set(id, { at: this.time + ms, callback });
    return { id };
  }
  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle.id as number);
  }
  advance(ms: number): void {
    this.time += ms;
    for (const [id, timer] of [...this.timers].sort((a, b) => a[1].at - b[1].at)) {
      if (timer.at > this.time) continue;
      this.timers.delete(id);
      timer.callback();
    }
  }
}
