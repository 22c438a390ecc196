/** A one-line progress bar on stderr, redrawn at most every REDRAW_MS; a no-op unless enabled. */
export interface Progress {
  update(state: ProgressState): void;
  /** Removes the bar, leaving the line clean for the summary. */
  stop(): void;
}

/** The bar of a run whose results may go to the same terminal. */
export interface ProgressBar extends Progress {
  /**
   * Runs `write` (output to the terminal the bar is on) with the bar taken off its line
   * first and drawn again below, so that what is written starts a line of its own.
   */
  clearFor(write: () => void): void;
}

export interface ProgressState {
  done: number;
  total: number;
  failed: number;
  /** Shown before the bar, e.g. a remote batch's status. */
  label?: string;
}

const REDRAW_MS = 100;
const BAR_WIDTH = 24;
/** A narrower bar still says something at a glance; below this it is left out. */
const NARROW_BAR_WIDTH = 10;

const silent: ProgressBar = { update() {}, stop() {}, clearFor: (write) => write() };

export function createProgress(enabled: boolean, stream: NodeJS.WriteStream, now = () => performance.now()): ProgressBar {
  if (!enabled) return silent;
  const started = now();
  let lastDraw = -Infinity;
  let shown = '';
  const draw = (line: string) => {
    stream.write(`\r${line}\x1b[K`);
    shown = line;
  };
  const clear = () => {
    if (shown) stream.write('\r\x1b[K');
    shown = '';
  };
  return {
    update(state) {
      const t = now();
      if (t - lastDraw < REDRAW_MS && state.done < state.total) return;
      lastDraw = t;
      // Narrower than the terminal: a line that wrapped could not be redrawn in place.
      draw(progressLine(state, (t - started) / 1000, (stream.columns || 80) - 1));
    },
    stop: clear,
    clearFor(write) {
      const line = shown;
      clear();
      write();
      if (line) draw(line);
    },
  };
}

/**
 * `[██████░░░░] 523/1,000 52% · 41.2/s · ETA 0:12 · 2 failed`, fitted to `width` columns:
 * the rate goes first, then the ETA, then the bar narrows and goes, then the label and
 * the percentage; a part is never cut.
 */
export function progressLine(state: ProgressState, elapsedSeconds: number, width = Infinity): string {
  const { done, total, failed } = state;
  const fraction = total > 0 ? Math.min(1, done / total) : 0;
  const rate = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
  const parts = {
    label: state.label,
    count: `${thousands(done)}/${thousands(total)}`,
    percent: `${Math.floor(fraction * 100)}%`,
    rate: rate > 0 ? `${rate >= 10 ? rate.toFixed(0) : rate.toFixed(1)}/s` : undefined,
    eta: rate > 0 && done < total ? `ETA ${duration((total - done) / rate)}` : undefined,
    failed: failed > 0 ? `${thousands(failed)} failed` : undefined,
  };
  const line = (barWidth: number, drop: readonly (keyof typeof parts)[]) => {
    const has = (key: keyof typeof parts) => !drop.includes(key) && parts[key] !== undefined;
    const filled = Math.round(fraction * barWidth);
    const head = [
      has('label') ? parts.label : undefined,
      barWidth > 0 ? `[${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}]` : undefined,
      parts.count,
      has('percent') ? parts.percent : undefined,
    ]
      .filter(Boolean)
      .join(' ');
    return [head, ...(['rate', 'eta', 'failed'] as const).filter(has).map((key) => parts[key])].join(' · ');
  };
  const fits = [
    line(BAR_WIDTH, []),
    line(BAR_WIDTH, ['rate']),
    line(BAR_WIDTH, ['rate', 'eta']),
    line(NARROW_BAR_WIDTH, ['rate', 'eta']),
    line(0, ['rate', 'eta']),
    line(0, ['rate', 'eta', 'label']),
    line(0, ['rate', 'eta', 'label', 'percent']),
  ].find((candidate) => candidate.length <= width);
  if (fits !== undefined) return fits;
  // Narrower still: the parts that fit, whole.
  let kept = '';
  for (const part of line(0, ['rate', 'eta', 'label', 'percent']).split(' · ')) {
    const next = kept ? `${kept} · ${part}` : part;
    if (next.length > width) break;
    kept = next;
  }
  return kept;
}

/** 45210 -> `45,210`; toLocaleString would load ICU data (~35 ms) for this. */
export const thousands = (n: number) => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** 75 -> `1:15`, 3725 -> `1:02:05` */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}
