/**
 * Puts results back in input order: each is passed on as soon as it and every one
 * before it are done. It holds only the results that finished ahead of a slower one;
 * the runner bounds that by not starting items too far ahead (`waitForRoom`).
 */
export class ReorderBuffer<T> {
  private readonly early = new Map<number, T>();
  private nextIndex = 0;
  private waiters: Array<{ index: number; wake: () => void }> = [];
  private released = false;

  constructor(private readonly emit: (value: T) => void) {}

  /** Index of the first result not yet passed on. */
  get next(): number {
    return this.nextIndex;
  }

  /** Results waiting for an earlier one. */
  get held(): number {
    return this.early.size;
  }

  put(index: number, value: T): void {
    if (index < this.nextIndex || this.early.has(index)) throw new Error(`result ${index} was put twice`);
    this.early.set(index, value);
    while (this.early.has(this.nextIndex)) {
      const ready = this.early.get(this.nextIndex)!;
      this.early.delete(this.nextIndex);
      this.nextIndex++;
      this.emit(ready);
    }
    this.waiters = this.waiters.filter((w) => {
      if (w.index > this.nextIndex) return true;
      w.wake();
      return false;
    });
  }

  /** Resolves once everything before `index` has been passed on (or the wait is released). */
  reached(index: number): Promise<void> {
    if (index <= this.nextIndex || this.released) return Promise.resolve();
    return new Promise((wake) => this.waiters.push({ index, wake }));
  }

  /** Ends every wait, now and later: nothing more will be put. */
  release(): void {
    this.released = true;
    for (const w of this.waiters) w.wake();
    this.waiters = [];
  }
}
