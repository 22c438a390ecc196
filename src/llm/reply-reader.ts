import type OpenAI from 'openai';
import { createReasoningSplitter, reasoningOf, splitReasoning } from '../core/reasoning.js';
import type { Usage } from '../core/types.js';

/** What a reply came to: the answer apart from the model's thinking. */
export interface ReadReply {
  text: string;
  /** The thinking, when the server sent any (absent, not '', when it did not). */
  reasoning?: string;
  /** A `<think>` block was still open at the end (the reply was cut). */
  unclosedThinking: boolean;
  model: string;
  finishReason: string | null;
  usage: Usage | null;
  /** The model declined to answer (structured output): its explanation. */
  refusal?: string;
}

export interface ReplySink {
  /** Answer text as it becomes certain. */
  text?(text: string): void;
  /** Thinking as it arrives (for --show-reasoning, or a "thinking..." spinner). */
  reasoning?(text: string): void;
}

/** Reads the chunks of a streamed reply; `finish()` once the stream has ended. */
export function createChunkReader(requestedModel: string, sink: ReplySink = {}) {
  const splitter = createReasoningSplitter({ answer: sink.text, reasoning: sink.reasoning });
  let model = requestedModel;
  let finishReason: string | null = null;
  let usage: Usage | null = null;
  let refusal = '';
  return {
    add(chunk: OpenAI.ChatCompletionChunk): void {
      if (chunk.model) model = chunk.model;
      if (chunk.usage) usage = usageOf(chunk.usage);
      const choice = chunk.choices[0];
      if (!choice) return;
      const thinking = reasoningOf(choice.delta);
      if (thinking) splitter.reasoning(thinking);
      if (choice.delta?.content) splitter.content(choice.delta.content);
      if (choice.delta?.refusal) refusal += choice.delta.refusal;
      if (choice.finish_reason) finishReason = choice.finish_reason;
    },
    finish(): ReadReply {
      const split = splitter.end();
      const read: ReadReply = { text: split.answer, unclosedThinking: split.unclosed, model, finishReason, usage, ...(refusal ? { refusal } : {}) };
      return withReasoning(read, split.reasoning);
    },
  };
}

/** A whole chat.completion (also each answer in a Batch API output file). */
export function readCompletion(data: OpenAI.ChatCompletion, requestedModel: string): ReadReply {
  const choice = data.choices?.[0];
  const split = splitReasoning(choice?.message?.content ?? '', reasoningOf(choice?.message));
  return withReasoning(
    {
      text: split.answer,
      unclosedThinking: split.unclosed,
      model: data.model || requestedModel,
      finishReason: choice?.finish_reason ?? null,
      usage: usageOf(data.usage),
      ...(choice?.message?.refusal ? { refusal: choice.message.refusal } : {}),
    },
    split.reasoning,
  );
}

function withReasoning(reply: ReadReply, reasoning: string): ReadReply {
  return reasoning === '' ? reply : { ...reply, reasoning };
}

/** The usage we keep: the three counts, plus reasoning and cached tokens where the server reports them. */
export function usageOf(usage: OpenAI.CompletionUsage | null | undefined): Usage | null {
  if (!usage) return null;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens;
  const cached = usage.prompt_tokens_details?.cached_tokens;
  return {
    prompt_tokens: usage.prompt_tokens,
    completion_tokens: usage.completion_tokens,
    total_tokens: usage.total_tokens,
    ...(typeof reasoning === 'number' ? { reasoning_tokens: reasoning } : {}),
    ...(typeof cached === 'number' ? { cached_tokens: cached } : {}),
  };
}
