import { ExitCode, GptError } from '../core/errors.js';
import type { ResultSink } from '../batch/output.js';
import { summaryLine, Tally, type ResultRecord } from '../batch/record.js';
import { createProgress } from '../io/progress.js';
import type { Deps } from './deps.js';
import type { Pricer } from '../usage/price-table.js';

/** Counts results as they are written, shows progress, and says at the end how the run went. */
export class RunReport {
  readonly tally = new Tally();
  private readonly started = performance.now();
  readonly progress;
  /** --resume: error lines of earlier runs left in -o FILE (not worth retrying as they are). */
  failedBefore = 0;
  /** The cost of each result line (the Batch API's discount for --remote). */
  price: Pricer = () => null;
  /** Results on the terminal the bar is drawn on: each must start a line of its own. */
  private readonly resultsUnderBar: boolean;

  constructor(
    readonly total: number,
    readonly resumeHint: string,
    private readonly deps: Deps,
    resultsToStdout: boolean,
  ) {
    this.progress = createProgress(deps.terminal.decorate && !deps.quiet, deps.terminal.stderr);
    this.resultsUnderBar = resultsToStdout && deps.terminal.stdoutIsTTY;
  }

  writer(sink: ResultSink) {
    return (record: ResultRecord) => {
      if (record.usage) record.cost = this.price(record.usage, record.model);
      if (this.resultsUnderBar) this.progress.clearFor(() => sink.write(record));
      else sink.write(record);
      this.tally.add(record);
      this.progress.update({ done: this.tally.finished, total: this.total, failed: this.tally.failed });
    };
  }

  /** `notRun`: items of a --remote batch that expired or was cancelled before they ran. */
  summary(notRun = 0): void {
    this.progress.stop();
    const seconds = (performance.now() - this.started) / 1000;
    this.deps.note(`gpt: ${summaryLine(this.tally, this.total, seconds, notRun)}`);
    const left = this.total - this.tally.finished - notRun;
    if (left > 0) this.deps.note(`gpt: ${left} of ${this.total} items have no result yet — ${this.resumeHint}`);
  }

  /** Exit 8 when any item failed: in this run, or in an earlier one whose error line is still there. */
  checkFailures(): void {
    const { failed, rateLimited } = this.tally;
    if (failed + this.failedBefore === 0) return;
    const hint =
      rateLimited > 0
        ? `${rateLimited} ${rateLimited === 1 ? 'was' : 'were'} rate limited (429): lower -j or raise --max-retries`
        : 'their result lines have an "error"; fix what it says, remove those lines and run again with --resume to retry them';
    const earlier = `${this.failedBefore} ${this.failedBefore === 1 ? 'item' : 'items'} failed in an earlier run`;
    const message = failed === 0 ? earlier : `${failed} of ${this.total} items failed${this.failedBefore > 0 ? `, and ${earlier}` : ''}`;
    throw new GptError(ExitCode.batchItemsFailed, message, hint);
  }
}
