/** How a reasoning model's thinking is shown while it streams. */
export interface ReasoningView {
  /** Each piece of thinking. */
  onReasoning(piece: string): void;
  /** The answer begins (or the reply ended): close the thinking with a newline. */
  done(): void;
}

export interface ReasoningViewOptions {
  /** --show-reasoning: the thinking on stderr; otherwise only `thinking()` once. */
  show: boolean;
  /** Dim it (a terminal without NO_COLOR); plain otherwise. */
  dim: boolean;
  write(text: string): void;
  /** Called once, when thinking starts and is not shown: a spinner line "thinking...". */
  thinking(): void;
}

const DIM = '\x1b[2m';
const UNDIM = '\x1b[22m';

export function reasoningView(options: ReasoningViewOptions): ReasoningView {
  let started = false;
  let open = false;
  let last = '';
  return {
    onReasoning(piece) {
      if (!options.show) {
        if (!started) options.thinking();
        started = true;
        return;
      }
      if (!started) started = true;
      open = true;
      last = piece;
      options.write(options.dim ? `${DIM}${piece}${UNDIM}` : piece);
    },
    done() {
      if (!open) return;
      open = false;
      options.write(last.endsWith('\n') ? '\n' : '\n\n');
    },
  };
}
