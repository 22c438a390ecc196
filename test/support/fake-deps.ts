// Deps for calling commands in-process (runAsk, runChat, runBatch, runThread*): a scripted
// ChatClient, a real ThreadStore in a temp XDG sandbox, string sinks and a clock that ticks.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { afterEach, beforeEach } from 'vitest';
import { resolveSettings, type ConfigFile, type FlagSettings } from '../../src/core/config.js';
import { resolvePaths } from '../../src/core/paths.js';
import type { Deps } from '../../src/commands/deps.js';
import type { GptError } from '../../src/core/errors.js';
import type { InputEvent, LineInput } from '../../src/io/line-input.js';
import { reportError } from '../../src/io/report-error.js';
import type { ChatClient, ChatReply, ChatRequest } from '../../src/llm/client.js';
import { ThreadStore } from '../../src/store/threads.js';

/** What the fake answers with; text defaults to `echo: <last user message>`, as the fake server's. */
export type FakeReply = Partial<ChatReply> & { chunks?: string[]; delayMs?: number };

/**
 * A ChatClient answering from a queue (then `echo: <prompt>`), recording every request.
 * An enqueued Error is thrown instead of a reply; `chunks` are what `onText` gets.
 */
export class FakeClient implements ChatClient {
  readonly requests: ChatRequest[] = [];
  readonly models: string[] = ['fake-model'];
  private readonly queue: (FakeReply | Error)[] = [];
  /** Answers requests when the queue is empty; tests replace it to answer by prompt. */
  fallback: (request: ChatRequest) => FakeReply | Error = () => ({});

  enqueue(...replies: (FakeReply | Error)[]): this {
    this.queue.push(...replies);
    return this;
  }

  async complete(request: ChatRequest, onText?: (text: string) => void): Promise<ChatReply> {
    this.requests.push(request);
    const script = this.queue.shift() ?? this.fallback(request);
    const delayMs = script instanceof Error ? 0 : (script.delayMs ?? 0);
    await new Promise((resolve) => setTimeout(resolve, delayMs)); // a reply is never synchronous
    if (script instanceof Error) throw script;
    const text = script.text ?? `echo: ${request.messages.findLast((m) => m.role === 'user')?.content ?? ''}`;
    if (onText) for (const piece of script.chunks ?? splitInPieces(text)) onText(piece);
    return {
      text,
      model: script.model ?? request.model,
      finishReason: script.finishReason === undefined ? 'stop' : script.finishReason,
      usage:
        script.usage === undefined
          ? {
              prompt_tokens: 10 * request.messages.length,
              completion_tokens: text.split(' ').length,
              total_tokens: 10 * request.messages.length + text.split(' ').length,
            }
          : script.usage,
      requestId: script.requestId ?? `req_${this.requests.length}`,
    };
  }

  async listModels(): Promise<string[]> {
    return [...this.models];
  }

  /** The content of the last user message of each request, in the order sent. */
  prompts(): string[] {
    return this.requests.map((r) => r.messages.findLast((m) => m.role === 'user')?.content ?? '');
  }
}

function splitInPieces(text: string): string[] {
  const words = text.split(/(?<= )/);
  return words.length > 1 ? words : [text];
}

export interface FakeWorld {
  deps: Deps;
  /** The same world as `gpt` run with other flags (the config stays). */
  withFlags(flags: FlagSettings): Deps;
  client: FakeClient;
  /** What the command wrote to stdout, to warn (one line each, newline added) and to err. */
  out: () => string;
  /** warn and err as one stream, in order, as a user sees stderr. */
  stderr: () => string;
  home: string;
  threadsDir: string;
  configHome: string;
  abort: AbortController;
  cleanup(): Promise<void>;
}

export interface FakeWorldOptions {
  flags?: FlagSettings;
  /** As if read from config.yaml. */
  config?: ConfigFile;
  /** stdin's bytes, for every command run; without it an open pipe that sends nothing (as in cron). */
  stdin?: string | Buffer;
  quiet?: boolean;
  /** The first reading of the clock; each reading is one second later. */
  startTime?: Date;
}

/** A temp HOME with its own XDG folders, and Deps whose outside world is all in memory. */
export async function makeWorld(options: FakeWorldOptions = {}): Promise<FakeWorld> {
  const home = await mkdtemp(join(tmpdir(), 'gpt-cmd-'));
  const env = {
    HOME: home,
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CACHE_HOME: join(home, 'cache'),
    XDG_STATE_HOME: join(home, 'state'),
    OPENAI_API_KEY: 'sk-test',
  };
  const paths = resolvePaths(env, home);
  let out = '';
  let stderr = '';
  const warn = (line: string) => {
    stderr += `${line}\n`;
  };
  const client = new FakeClient();
  const abort = new AbortController();
  const flags = options.flags ?? {};
  let tick = (options.startTime ?? new Date('2026-11-27T12:00:00.000Z')).getTime();
  const deps: Deps = {
    settings: resolveSettings(flags, env, options.config ?? {}),
    paths,
    store: new ThreadStore(paths.threadsDir, paths.cacheDir, options.quiet ? () => {} : warn),
    client: async () => client,
    // The Batch API has its own fake (test/support/fake-batch.ts), reached only end to end.
    batchClient: async () => {
      throw new Error('no Batch API in command tests: use the e2e harness');
    },
    env,
    terminal: {
      stdinIsTTY: false,
      stdoutIsTTY: false,
      stderrIsTTY: false,
      decorate: false,
      columns: 80,
      stderr: sink((text) => {
        stderr += text;
      }),
    },
    // Each read gets the bytes anew, as each run of gpt gets its own stdin.
    get stdin() {
      return stdinFrom(options.stdin);
    },
    out: (text) => {
      out += text;
    },
    warn: options.quiet ? () => {} : warn,
    note: options.quiet ? () => {} : warn,
    err: (text) => {
      stderr += text;
    },
    report: (error) =>
      void reportError(error, {
        stdout: () => {},
        stderr: (text) => {
          stderr += text;
        },
        secret: env.OPENAI_API_KEY,
        json: false,
        verbose: false,
      }),
    outFailed: () => undefined,
    cwd: home,
    now: () => {
      tick += 1000;
      return new Date(tick - 1000);
    },
    signal: abort.signal,
    quiet: options.quiet ?? false,
    showReasoning: false,
  };
  const config = options.config ?? {};
  return {
    deps,
    client,
    abort,
    home,
    withFlags: (other) => ({ ...deps, settings: resolveSettings(other, env, config) }),
    threadsDir: paths.threadsDir,
    configHome: env.XDG_CONFIG_HOME,
    out: () => out,
    stderr: () => stderr,
    cleanup: () => rm(home, { recursive: true, force: true }),
  };
}

/** The world of the test running now: a FakeWorld that `eachTestWorld` makes and cleans up. */
export interface TestWorld extends Omit<FakeWorld, 'cleanup'> {
  /** Swaps this test's world for a fresh one, with these options over the file's (the old one is cleaned up). */
  renew(options?: FakeWorldOptions): Promise<void>;
}

/**
 * A fresh world for each test of the file: registers vitest's beforeEach and afterEach, and
 * returns one object that always reads the current world. stdin is '' (nothing piped) unless
 * the options say otherwise, so no command waits on makeWorld's silent open pipe.
 */
export function eachTestWorld(options: FakeWorldOptions = {}): TestWorld {
  const base: FakeWorldOptions = { stdin: '', ...options };
  let world: FakeWorld | undefined;
  const now = (): FakeWorld => {
    if (world === undefined) throw new Error('a test world exists only while a test runs');
    return world;
  };
  beforeEach(async () => {
    world = await makeWorld(base);
  });
  afterEach(async () => {
    await world?.cleanup();
    world = undefined;
  });
  return {
    get deps() {
      return now().deps;
    },
    withFlags: (flags) => now().withFlags(flags),
    get client() {
      return now().client;
    },
    out: () => now().out(),
    stderr: () => now().stderr(),
    get home() {
      return now().home;
    },
    get threadsDir() {
      return now().threadsDir;
    },
    get configHome() {
      return now().configHome;
    },
    get abort() {
      return now().abort;
    },
    async renew(more = {}) {
      await world?.cleanup();
      world = await makeWorld({ ...base, ...more });
    },
  };
}

/** What a command threw, or undefined when it did not fail (the test's expect says which it wanted). */
export const failure = (run: Promise<unknown>): Promise<GptError | undefined> =>
  run.then(
    () => undefined,
    (error: GptError) => error,
  );

/** A stream that is not a terminal, whose writes go to `write`. */
function sink(write: (text: string) => void): NodeJS.WriteStream {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      write(chunk.toString());
      done();
    },
  });
  return stream as unknown as NodeJS.WriteStream;
}

/** A stdin that is not a terminal: these bytes, or an open pipe that sends nothing. */
export function stdinFrom(bytes: string | Buffer | undefined): NodeJS.ReadStream {
  const stream = bytes === undefined ? new PassThrough() : Readable.from([Buffer.from(bytes)]);
  return stream as unknown as NodeJS.ReadStream;
}

/** A LineInput that gives these lines (then the end of input), as `gpt chat` reads a pipe. */
export function scriptedLines(lines: string[]): LineInput & { closed: boolean } {
  const events: InputEvent[] = lines.map((text) => ({ kind: 'line', text }));
  return {
    closed: false,
    onInterrupt: undefined,
    async next() {
      return events.shift() ?? { kind: 'end' };
    },
    close() {
      this.closed = true;
    },
    leavePrompt() {}, // a pipe shows no prompt
    suspend: (work) => work(),
  };
}

/** Makes the threads folder, for tests that write thread files before the command runs. */
export async function threadsFolder(world: Pick<FakeWorld, 'threadsDir'>): Promise<string> {
  await mkdir(world.threadsDir, { recursive: true, mode: 0o700 });
  return world.threadsDir;
}
