/** How much the runner may hold back for ordering before it stops starting items. */
export interface HoldLimits {
  /** Items started and not yet passed on: in flight, waiting for their thread, or held. */
  items: number;
  /** Characters of the held results (their replies), about half their bytes in memory. */
  chars: number;
}

/**
 * Puts results back in input order: each is passed on as soon as it and every one
 * before it are done. It holds the results that finished ahead of a slower one; the
 * runner bounds them by waiting for `room` before it starts an item.
 */
export class ReorderBuffer<T> {
  private readonly early = new Map<number, T>();
  private nextIndex = 0;
  private heldChars = 0;
  private waiters: Array<{ ready: () => boolean; wake: () => void }> = [];
  private released = false;

  /** `size`: what a result weighs against `HoldLimits.chars`. */
  constructor(
    private readonly emit: (value: T) => void,
    private readonly size: (value: T) => number = () => 0,
  ) {}

  /** Results waiting for an earlier one. */
  get held(): number {
    return this.early.size;
  }

  put(index: number, value: T): void {
    if (index < this.nextIndex || this.early.has(index)) throw new Error(`result ${index} was put twice`);
    this.early.set(index, value);
    this.heldChars += this.size(value);
    while (this.early.has(this.nextIndex)) {
      const ready = this.early.get(this.nextIndex)!;
      this.early.delete(this.nextIndex);
      this.heldChars -= this.size(ready);
      this.nextIndex++;
      this.emit(ready);
    }
    this.waiters = this.waiters.filter((w) => {
      if (!w.ready()) return true;
      w.wake();
      return false;
    });
  }

  /**
   * Resolves once item `index` may start within `limits` (or the wait is released). The
   * first unwritten item is always started before a later one waits here, so each wait ends.
   */
  room(index: number, limits: HoldLimits): Promise<void> {
    const ready = () => index - this.nextIndex < limits.items && (this.heldChars < limits.chars || this.early.size === 0);
    if (this.released || ready()) return Promise.resolve();
    return new Promise((wake) => this.waiters.push({ ready, wake }));
  }

  /**
   * Passes on every held result, in index order, though earlier ones are missing: a run
   * that stops writes what it paid for, and --resume sends what is missing.
   */
  flush(): void {
    for (const index of [...this.early.keys()].sort((a, b) => a - b)) {
      const value = this.early.get(index)!;
      this.early.delete(index);
      this.heldChars -= this.size(value);
      this.emit(value);
    }
  }

  /** Ends every wait, now and later: nothing more will be put. */
  release(): void {
    this.released = true;
    for (const w of this.waiters) w.wake();
    this.waiters = [];
  }
}
