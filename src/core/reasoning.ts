/**
 * Separates a reasoning model's thinking from its answer while the reply streams.
 *
 * Local servers send thinking either in `reasoning_content` / `reasoning` deltas (the caller
 * passes those to `reasoning()`) or inline, as a `<think>...</think>` block at the start of
 * the content (passed to `content()`), split across chunks anywhere. Only a LEADING block
 * counts: `<think>` later in a reply is the answer's own text.
 *
 * Answer text is handed on as soon as it is certain: the only text held back is leading
 * whitespace and a partial `<think>` at the very start, and whitespace after `</think>`.
 * Leading whitespace is the answer's own unless thinking came first.
 * Reasoning is trimmed at both ends; inside a block a partial `</think>` and trailing
 * whitespace wait for the next chunk.
 */
export interface SplitReply {
  answer: string;
  reasoning: string;
  /** A `<think>` block was still open when the reply ended (cut by a token limit, say). */
  unclosed: boolean;
}

export interface ReasoningSink {
  answer?(text: string): void;
  reasoning?(text: string): void;
}

export interface ReasoningSplitter {
  /** A `content` delta. */
  content(text: string): void;
  /** A `reasoning_content` / `reasoning` delta. */
  reasoning(text: string): void;
  /** The reply ended: flush what was held back and return the whole split. */
  end(): SplitReply;
}

const OPEN = '<think>';
const CLOSE = '</think>';

type State = 'lead' | 'think' | 'after' | 'answer';

export function createReasoningSplitter(sink: ReasoningSink = {}): ReasoningSplitter {
  let state: State = 'lead';
  let pending = ''; // content not yet decided (lead, think)
  let answer = '';
  let reasoning = '';
  const thought = reasoningEmitter((text) => {
    reasoning += text;
    sink.reasoning?.(text);
  });
  const say = (text: string) => {
    if (text === '') return;
    answer += text;
    sink.answer?.(text);
  };

  function content(text: string): void {
    if (state === 'answer') return say(text);
    if (state === 'after') {
      const rest = text.trimStart();
      if (rest === '') return;
      state = 'answer';
      return say(rest);
    }
    pending += text;
    if (state === 'lead') {
      const start = pending.trimStart();
      if (start.startsWith(OPEN)) {
        state = 'think';
        pending = start.slice(OPEN.length);
      } else if (start === '' || OPEN.startsWith(start)) {
        return; // still maybe a <think>
      } else {
        state = 'answer';
        // After thinking sent beside the content, the blank lines before the answer are the server's, not the answer's.
        const whole = reasoning === '' ? pending : pending.trimStart();
        pending = '';
        return say(whole);
      }
    }
    // state === 'think'
    const close = pending.indexOf(CLOSE);
    if (close >= 0) {
      thought.push(pending.slice(0, close));
      const rest = pending.slice(close + CLOSE.length);
      pending = '';
      state = 'after';
      return content(rest);
    }
    const keep = partialSuffix(pending, CLOSE);
    thought.push(pending.slice(0, pending.length - keep));
    pending = pending.slice(pending.length - keep);
  }

  function end(): SplitReply {
    const unclosed = state === 'think';
    if (state === 'lead') say(reasoning === '' ? pending : pending.trimStart());
    if (state === 'think') thought.push(pending);
    pending = '';
    return { answer, reasoning, unclosed };
  }

  return { content, reasoning: (text) => thought.push(text), end };
}

/** A whole (non-streamed) reply: its content and the server's reasoning field, if any. */
export function splitReasoning(content: string, reasoningField?: string | null): SplitReply {
  const splitter = createReasoningSplitter();
  if (reasoningField) splitter.reasoning(reasoningField);
  splitter.content(content);
  return splitter.end();
}

/** Passes reasoning on without its leading and trailing whitespace, holding trailing whitespace until more text comes. */
function reasoningEmitter(emit: (text: string) => void) {
  let started = false;
  let held = '';
  return {
    push(text: string) {
      let body = held + text;
      if (!started) body = body.trimStart();
      const certain = body.trimEnd();
      held = body.slice(certain.length);
      if (certain === '') return;
      started = true;
      emit(certain);
    },
  };
}

/** How many characters at the end of `text` could be the start of `tag`. */
function partialSuffix(text: string, tag: string): number {
  for (let n = Math.min(tag.length - 1, text.length); n > 0; n--) {
    if (text.endsWith(tag.slice(0, n))) return n;
  }
  return 0;
}

/**
 * The thinking in a streamed delta or a whole message: llama.cpp, DeepSeek and older vLLM
 * call it `reasoning_content`; Ollama, OpenRouter and vLLM 0.9+ call it `reasoning`. A server
 * in transition may send both with the same text, so one is taken, not both.
 */
export function reasoningOf(deltaOrMessage: unknown): string | undefined {
  if (typeof deltaOrMessage !== 'object' || deltaOrMessage === null) return undefined;
  const { reasoning_content: content, reasoning } = deltaOrMessage as Record<string, unknown>;
  if (typeof content === 'string' && content !== '') return content;
  return typeof reasoning === 'string' && reasoning !== '' ? reasoning : undefined;
}
