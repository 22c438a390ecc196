/**
 * `gpt batch --max-cost`: what has been spent and what the requests in flight may cost. An
 * item is sent only when spent + in flight + its own estimate stays within the budget.
 */
export class Budget {
  private spent = 0;
  private inFlight = 0;
  private items = 0;
  /** Wakes a reservation waiting for an item in flight to settle. */
  private wake: (() => void) | undefined;
  /** Items that were not sent because they would have passed the budget. */
  stopped = false;
  /** The estimate of the first item not sent. */
  refused: number | undefined;

  constructor(readonly max: number) {}

  /**
   * Reserves an item's estimate. While it would pass the budget only because of items in
   * flight (whose estimates are bounds), waits for them to settle and checks again against
   * what they did cost; false (and stopped) when it does not fit with nothing in flight.
   */
  async reserve(estimate: number): Promise<boolean> {
    while (!this.stopped && this.spent + this.inFlight + estimate > this.max) {
      if (this.items === 0) {
        this.stopped = true;
        this.refused = estimate;
        break;
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    if (this.stopped) return false;
    this.inFlight += estimate;
    this.items++;
    return true;
  }

  /** The item finished (or was never sent): its estimate is released and what it cost (0 for a failure) is spent. */
  settle(estimate: number, cost: number): void {
    this.inFlight -= estimate;
    this.items--;
    if (this.items === 0) this.inFlight = 0; // no rounding left behind
    this.spent += cost;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  get total(): number {
    return this.spent;
  }
}
