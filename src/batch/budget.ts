/**
 * `gpt batch --max-cost`: what has been spent and what the requests in flight may cost. An
 * item is sent only when spent + in flight + its own estimate stays within the budget.
 */
export class Budget {
  private spent = 0;
  private inFlight = 0;
  /** Items that were not sent because they would have passed the budget. */
  stopped = false;

  constructor(readonly max: number) {}

  /** Reserves an item's estimate; false (and stopped) when it would pass the budget. */
  reserve(estimate: number): boolean {
    if (this.stopped || this.spent + this.inFlight + estimate > this.max) {
      this.stopped = true;
      return false;
    }
    this.inFlight += estimate;
    return true;
  }

  /** The item finished: its estimate is released and what it cost (0 for a failure) is spent. */
  settle(estimate: number, cost: number): void {
    this.inFlight -= estimate;
    this.spent += cost;
  }

  get total(): number {
    return this.spent;
  }
}
