import type { GptError } from '../core/errors.js';
import { formatUSD } from '../core/prices.js';
import type { ShapedReply } from '../core/reply-shape.js';
import type { ChatReply, Usage } from '../core/types.js';

export interface ThreadInfo {
  name: string;
  file: string;
}

/** One completed ask, as the renderers see it. */
export interface AskOutcome {
  reply: ChatReply;
  thread: ThreadInfo | null;
  durationMs: number;
  /** USD; null when the price is unknown (README "Costs"). */
  cost: number | null;
  /** What --schema or -x made of the reply: printed instead of it; `data`/`code` in --json. */
  shaped?: ShapedReply;
}

/** How replies reach stdout: streamed text, or one JSON object at the end. */
export interface Renderer {
  /** Receives each streamed piece; absent when output waits for the whole reply. */
  readonly onText?: (piece: string) => void;
  done(outcome: AskOutcome): void;
  /** The reply stopped part-way (Ctrl-C, a cut stream): ends its line, so an error does not follow on it. */
  cut(): void;
}

type Write = (text: string) => void;

/** Changes the reply's text on its way out (Markdown drawn on a terminal, io/markdown.ts); `end` gives what it held back. */
export interface TextFilter {
  push(text: string): string;
  end(): string;
}

export function textRenderer(write: Write, streaming: boolean, filter?: TextFilter): Renderer {
  let last = '';
  const emit = (text: string) => {
    if (text === '') return;
    write(text);
    last = text;
  };
  const onText = (piece: string) => emit(filter ? filter.push(piece) : piece);
  const flush = () => emit(filter?.end() ?? '');
  return {
    onText: streaming ? onText : undefined,
    done({ reply, shaped }) {
      if (!streaming) onText(shaped ? shaped.printed : reply.text);
      flush();
      // Always end with exactly one newline, so the shell prompt starts on its own line.
      if (!last.endsWith('\n')) write('\n');
    },
    cut() {
      flush();
      if (last !== '' && !last.endsWith('\n')) emit('\n');
    },
  };
}

export function jsonRenderer(write: Write): Renderer {
  return {
    done: (outcome) => write(`${JSON.stringify(askJson(outcome))}\n`),
    cut() {},
  };
}

/** The line that says a reply is incomplete because it hit the token limit (text mode; --json has finish_reason). */
export function cutNotice(reply: ChatReply): string | undefined {
  return reply.finishReason === 'length'
    ? 'gpt: the reply was cut at the token limit (finish_reason: length) — raise --max-tokens for a longer one'
    : undefined;
}

/** The stable `--json` shape of a reply (documented in README). */
export function askJson({ reply, thread, durationMs, shaped, cost }: AskOutcome) {
  return {
    reply: reply.text,
    ...(reply.reasoning === undefined ? {} : { reasoning: reply.reasoning }),
    ...(shaped?.data === undefined ? {} : { data: shaped.data }),
    ...(shaped?.code === undefined ? {} : { code: shaped.code }),
    ...(reply.refusal === undefined ? {} : { refusal: reply.refusal }),
    model: reply.model,
    thread,
    finish_reason: reply.finishReason,
    usage: reply.usage,
    cost,
    request_id: reply.requestId,
    duration_ms: Math.round(durationMs),
  };
}

/** The `--json` shape of a failure: `error`, plus whatever was already produced. */
export function errorJson(error: GptError) {
  return {
    error: {
      message: error.message,
      hint: error.hint ?? null,
      exit_code: error.exitCode,
      status: error.status ?? null,
    },
    ...error.output,
  };
}

/** The -u/--usage line on stderr: the call's tokens as the server counted them, and their cost. */
export function usageLine(usage: Usage | null, cost: number | null): string {
  if (!usage) return 'gpt: usage: the server sent no token counts';
  const cached = usage.cached_tokens ? ` (${usage.cached_tokens} cached)` : '';
  const reasoning = usage.reasoning_tokens ? ` (${usage.reasoning_tokens} reasoning)` : '';
  return `gpt: usage: ${usage.prompt_tokens} input${cached} + ${usage.completion_tokens} output${reasoning} = ${usage.total_tokens} tokens, ${formatUSD(cost)}`;
}
