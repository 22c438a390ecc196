/** A one-line progress bar on stderr, redrawn at most every REDRAW_MS; a no-op unless enabled. */
export interface Progress {
  update(state: ProgressState): void;
  /** Removes the bar, leaving the line clean for the summary. */
  stop(): void;
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

const silent: Progress = { update() {}, stop() {} };

export function createProgress(enabled: boolean, stream: NodeJS.WriteStream = process.stderr, now = () => performance.now()): Progress {
  if (!enabled) return silent;
  const started = now();
  let lastDraw = -Infinity;
  let shown = false;
  return {
    update(state) {
      const t = now();
      if (t - lastDraw < REDRAW_MS && state.done < state.total) return;
      lastDraw = t;
      // Never wider than the terminal: a wrapped line could not be redrawn in place.
      const width = stream.columns || 80;
      const line = progressLine(state, (t - started) / 1000).slice(0, Math.max(10, width - 1));
      stream.write(`\r${line}\x1b[K`);
      shown = true;
    },
    stop() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}

/** `[██████░░░░] 523/1,000 52% · 41.2/s · ETA 0:12 · 2 failed` */
export function progressLine(state: ProgressState, elapsedSeconds: number): string {
  const { done, total, failed } = state;
  const fraction = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = `[${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}]`;
  const parts = [`${state.label ? `${state.label} ` : ''}${bar} ${thousands(done)}/${thousands(total)} ${Math.floor(fraction * 100)}%`];
  const rate = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
  if (rate > 0) {
    parts.push(`${rate >= 10 ? rate.toFixed(0) : rate.toFixed(1)}/s`);
    if (done < total) parts.push(`ETA ${duration((total - done) / rate)}`);
  }
  if (failed > 0) parts.push(`${thousands(failed)} failed`);
  return parts.join(' · ');
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
