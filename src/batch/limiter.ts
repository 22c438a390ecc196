/** A request slot; `startedAt` tells a 429 to a request sent before the last cut from one sent after. */
export interface Permit {
  startedAt: number;
}

export type Outcome = 'ok' | 'failed' | 'rateLimited';

/**
 * How many requests may be in flight: additive increase, multiplicative decrease.
 * A request that still ends in 429 after the SDK's own retries halves the limit (at most
 * once per round of requests: those sent before the cut do not cut again); each success
 * adds 1/limit, so the limit grows back by one per round of successes, up to `max`.
 * Slots are handed out first come, first served.
 */
export class AimdLimiter {
  private limit: number;
  private active = 0;
  private lastCut = -Infinity;
  private readonly queue: Array<() => void> = [];

  constructor(
    readonly max: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.limit = max;
  }

  /** Requests allowed in flight now. */
  get current(): number {
    return Math.max(1, Math.floor(this.limit));
  }

  async acquire(): Promise<Permit> {
    if (this.active < this.current && this.queue.length === 0) this.active++;
    else await new Promise<void>((resolve) => this.queue.push(resolve)); // the slot is taken for us
    return { startedAt: this.clock() };
  }

  release(permit: Permit, outcome: Outcome): void {
    this.active--;
    if (outcome === 'rateLimited') {
      if (permit.startedAt > this.lastCut) {
        this.limit = Math.max(1, this.limit / 2);
        this.lastCut = this.clock();
      }
    } else if (outcome === 'ok') {
      this.limit = Math.min(this.max, this.limit + 1 / this.limit);
    }
    while (this.queue.length > 0 && this.active < this.current) {
      this.active++;
      this.queue.shift()!();
    }
  }
}
