import { ExitCode, GptError, badInputError } from '../core/errors.js';
import type { BatchItem } from '../batch/item.js';
import { ItemProblem } from '../batch/item-problem.js';
import { itemThreadRef, type ItemPathRules } from '../batch/item-paths.js';
import { runLocal, type SendItem } from '../batch/local.js';
import type { ResultSink } from '../batch/output.js';
import { errorRecord, replyRecord, type ResultRecord } from '../batch/record.js';
import { itemRequest } from '../batch/request.js';
import { ServerWatch } from '../batch/server-gone.js';
import { responseFormat, shapeReply, withSchemaInstruction, type ReplyShape } from '../core/reply-shape.js';
import { chatRequest, type ChatClient, type ChatReply } from '../llm/client.js';
import { DEFAULT_CONCURRENCY, type BatchOptions } from './batch-options.js';
import type { RunReport } from './batch-report.js';
import type { Deps } from './deps.js';
import { itemShapes, loadReplyShape, shapeMode } from './shape.js';
import { completedTurn, costOfReply, saveTurn } from './turn.js';
import { checkModelTakes, sentHistory, sentOf, threadAttachments, threadStores, type LoadedAttachment } from './attachments.js';
import { checkItemModel, loadItemContext, promptWithFiles } from './batch-context.js';
import { fitThread, sendFitted } from './context.js';
import type { ChatMessage, StoredMessage } from '../core/types.js';
import { checkBudgetStop, type BudgetedRun } from './batch-budget.js';

// The local path of `gpt batch`: each item a request of its own, several at once.

type ItemShapes = ReturnType<typeof itemShapes>;

/** `shapes`: batchShapes, loaded before -o FILE is opened (a bad --schema refuses the run). */
export async function runItemsLocally(
  items: AsyncIterable<BatchItem>,
  options: BatchOptions,
  deps: Deps,
  sink: ResultSink,
  run: RunReport,
  rules: ItemPathRules,
  shapes: ItemShapes,
  budgeted?: BudgetedRun,
) {
  const client = await deps.client();
  const send = itemSender(client, deps, rules, run.resumeHint, shapes, options);
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  try {
    await runLocal(items, { concurrency, signal: deps.signal, finished: budgeted?.finished }, budgeted ? budgeted.sender(send) : send, run.writer(sink));
  } finally {
    run.summary();
  }
  checkBudgetStop(budgeted?.budget, run.resumeHint);
  run.checkFailures();
}

/** These stop the whole batch: every other item would fail the same way. */
const STOPS_THE_BATCH: readonly ExitCode[] = [ExitCode.config, ExitCode.interrupted, ExitCode.terminated, ExitCode.internal];

/** Each item's reply shape (README "Data out"): --schema, or the item's own `schema`. */
export async function batchShapes(options: BatchOptions, deps: Deps): Promise<ItemShapes> {
  const shape = await loadReplyShape(options.shape ?? {}, { cwd: options.schemaDir ?? deps.cwd, configMode: deps.settings.schemaMode });
  return itemShapes(shape, shapeMode(options.shape ?? {}, deps.settings.schemaMode));
}

function itemSender(client: ChatClient, deps: Deps, rules: ItemPathRules, resumeHint: string, shapes: ItemShapes, options: BatchOptions): SendItem {
  const watch = new ServerWatch();
  return async (item, signal) => {
    let model = item.model ?? deps.settings.inputs.flags.model ?? null;
    try {
      const ref = item.thread === undefined ? undefined : threadOf(item.thread, rules);
      const thread = ref ? (await deps.store.load(ref.file)).thread : undefined;
      // Read again as it is sent (checked first with the whole input): the paths are checked again too.
      const context = await loadItemContext(item, rules, options.maxFilesSize, deps);
      const stores = ref && threadStores(ref, thread, deps.paths.threadsDir);
      // A thread's earlier attachments go again, as `gpt ask` sends them.
      const earlier = stores && thread ? await threadAttachments(thread.messages, stores, ref!, rules.base) : new Map<StoredMessage, LoadedAttachment[]>();
      const prompt = promptWithFiles(item, context);
      const request = itemRequest(item, deps.settings, thread, { prompt, attached: { turn: sentOf(context.attached), history: sentHistory(earlier) } });
      const { settings } = request;
      model = settings.model;
      checkItemModel(settings, context);
      checkModelTakes(settings, [], earlier);
      const startedAt = deps.now();
      const shape = await shapes(item.schema);
      const chat = (messages: ChatMessage[]) =>
        shape
          ? { ...chatRequest(settings, withSchemaInstruction(shape, messages), signal), responseFormat: responseFormat(shape) }
          : chatRequest(settings, messages, signal);
      // A thread is fitted to the model's window as `gpt ask` fits it (README "Long threads").
      const history = thread?.messages ?? [];
      const toFit = {
        messages: request.messages,
        history,
        request: { model: settings.model, maxTokens: settings.maxTokens, policy: options.context ?? thread?.context ?? 'trim' },
      };
      // What fitting says on stderr names the item: a batch has many.
      const fitting = { ...deps, warn: (line: string) => deps.warn(line.replace(/^gpt: /, `gpt: item ${item.id}: `)) };
      const fitted = history.length > 0 ? await fitThread(request.messages, history, toFit.request, fitting) : { messages: request.messages, omittedTurns: 0 };
      const { result: reply, omittedTurns } = await sendFitted(fitted, toFit, (f) => client.complete(chat(f.messages)), fitting);
      watch.gone();
      const record = shapedRecord(item.id, reply, shape);
      if (!ref) return record;
      try {
        const turn = completedTurn(
          prompt,
          startedAt,
          reply,
          deps.now(),
          await costOfReply(reply, settings.model, deps),
          omittedTurns,
          context.attached.map((a) => a.sent.ref),
        );
        await saveTurn({ ref, auto: false }, turn, settings, deps, undefined, {
          store: stores![0],
          loaded: [...context.attached, ...[...earlier.values()].flat()],
        });
      } catch (error) {
        if (!(error instanceof GptError)) throw error;
        return { ...record, error: errorRecord(item.id, model, error).error }; // the reply is kept
      }
      return record;
    } catch (error) {
      if (error instanceof ItemProblem) return errorRecord(item.id, model, badInputError(error.message, error.hint));
      if (signal.aborted || !(error instanceof GptError) || STOPS_THE_BATCH.includes(error.exitCode)) throw error;
      if (watch.gone(error)) {
        // Stop sending: what finished is written, the rest is left for --resume.
        throw new GptError(ExitCode.network, `${error.message}: ${watch.limit} items in a row, so the rest were not sent`, `check the server; ${resumeHint}`, {
          cause: error,
        });
      }
      return errorRecord(item.id, model, error);
    }
  };
}

/** The item's thread, checked again as it is sent (a link may have changed since the input was checked). */
function threadOf(thread: string, rules: ItemPathRules) {
  try {
    return itemThreadRef(thread, rules);
  } catch (error) {
    throw error instanceof ItemProblem ? badInputError(error.message, error.hint) : error;
  }
}

/** A reply's record with its `data`, or with the `error` that says why it is not what was asked (the reply kept). */
function shapedRecord(id: string, reply: ChatReply, shape: ReplyShape | undefined): ResultRecord {
  const record = replyRecord(id, reply);
  const shaped = shape && shapeReply(shape, reply);
  if (shaped instanceof GptError) return { ...record, error: errorRecord(id, record.model, shaped).error };
  return shaped ? { ...record, data: shaped.data } : record;
}
