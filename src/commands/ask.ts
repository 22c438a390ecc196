import { GptError, usageError } from '../core/errors.js';
import { assemblePrompt, buildRequestMessages, turnSettings } from '../core/prompt.js';
import { chatRequest } from '../llm/client.js';
import { askJson, cutNotice, jsonRenderer, textRenderer, type AskOutcome } from '../io/render.js';
import { replyFilter } from '../io/markdown.js';
import { createSpinner } from '../io/spinner.js';
import { readStdin, stdinPolicy } from '../io/stdin.js';
import type { Deps } from './deps.js';
import { promptFromEditor } from './prompt-editor.js';
import { chooseThread, completedTurn, saveTurn } from './turn.js';

export interface AskOptions {
  args: string[];
  thread?: string;
  continueLatest: boolean;
  json: boolean;
  stream: boolean;
  /** --stdin / --no-stdin; undefined lets gpt decide (README: "Where the prompt comes from"). */
  stdin?: boolean;
  /** Compose the prompt in $VISUAL/$EDITOR, starting from stdin and the arguments. */
  edit?: boolean;
  /** --raw: the reply as written, not drawn as Markdown on a terminal. */
  raw?: boolean;
}

export async function runAsk(options: AskOptions, deps: Deps): Promise<void> {
  const started = performance.now();
  const startedAt = deps.now();
  const prompt = await readPrompt(options, deps);
  const target = await chooseThread(options, prompt, deps);
  const existing = target ? (await deps.store.load(target.ref.file)).thread : undefined;
  const request = turnSettings(deps.flags, existing, deps.settings);

  const client = await deps.client(); // before the spinner: a missing key must not leave it spinning
  const spinner = await createSpinner(deps.terminal.decorate && !deps.quiet, deps.terminal.stderr);
  // The spinner turns until something is shown: drawn Markdown holds a block until it is complete.
  const out = (text: string) => {
    spinner.stop();
    deps.out(text);
  };
  const renderer = options.json ? jsonRenderer(deps.out) : textRenderer(out, options.stream, await replyFilter(deps, options.raw));
  spinner.start(`Asking ${request.model}`);
  const onText = renderer.onText;
  const reply = await client
    .complete(chatRequest(request, buildRequestMessages(request, existing?.messages ?? [], prompt), deps.signal), onText)
    .finally(() => spinner.stop())
    .catch((error: unknown) => {
      renderer.cut();
      throw error;
    });

  const outcome: AskOutcome = {
    reply,
    thread: target ? { name: target.ref.name, file: target.ref.file } : null,
    durationMs: performance.now() - started,
  };
  if (target) {
    const turn = completedTurn(prompt, startedAt, reply, deps.now());
    try {
      await saveTurn(target, turn, request, deps);
    } catch (error) {
      // The reply is the user's; print it even though it could not be kept.
      if (!options.json) renderer.done(outcome);
      if (error instanceof GptError) error.output = askJson(outcome);
      throw error;
    }
  }
  renderer.done(outcome);
  const cut = cutNotice(reply);
  if (cut && !options.json) deps.warn(cut);
}

async function readPrompt(options: AskOptions, deps: Deps): Promise<string> {
  const policy = stdinPolicy(deps.stdin, options.args.length > 0, options.stdin);
  const piped = await readStdin(deps.stdin, policy, deps.signal);
  if (policy === 'grace' && piped === undefined && !deps.quiet) {
    deps.warn('gpt: stdin sent nothing within 1s, so it was not read — use --stdin to wait for it, --no-stdin to skip this');
  }
  const assembled = assemblePrompt(piped, options.args);
  const prompt = options.edit ? await promptFromEditor(assembled, deps) : assembled;
  if (prompt === undefined || prompt.trim() === '') {
    throw usageError('no prompt given', 'pass it as arguments (gpt ask "question") or pipe it in (echo question | gpt ask)');
  }
  return prompt;
}
