/**
 * The built binary on a real pseudo-terminal, read as a person reads it.
 *
 * util-linux `script` gives `gpt` a pty (stdin, stdout and stderr all on it, as in a
 * terminal window) without a native module; what it prints is fed to a terminal emulator
 * (`@xterm/headless`), and tests read the emulator's screen as lines of text rather than
 * matching escape codes. Keys are written to `script`'s stdin, which it passes to the pty:
 * a pipe we hold open, so the test runner's own stdin (none at all in CI) plays no part.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import xterm from '@xterm/headless';
import { execa } from 'execa';
import { GPT_BIN, type Sandbox } from './cli.js';

export interface TerminalOptions {
  columns?: number;
  rows?: number;
  /** Added to the sandbox's environment; undefined removes a variable. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Leaves the pty at 0x0, as `script` makes it and as nobody's window is: a case gpt must survive. */
  unsized?: boolean;
}

export interface TerminalRun {
  /** Sends keys as typed: `\r` is Enter, `\x03` Ctrl-C, `\x04` Ctrl-D. */
  type(keys: string): void;
  /** Pastes text as a terminal with bracketed paste does, whether or not the program asked for it. */
  paste(text: string): void;
  /**
   * Resolves when the screen (see `text()`) contains `expected`; rejects with the screen
   * after `timeoutMs`. Checked each time output has been drawn, so no polling and no sleeps.
   */
  waitFor(expected: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Screen lines, scrollback included, right-trimmed, without the blank lines below the last text. */
  lines(): string[];
  /** Lines as written: a line the terminal wrapped at its edge is joined again. */
  logicalLines(): string[];
  /** `logicalLines()` joined by newlines. */
  text(): string;
  /** Where the cursor is on the screen (0-based; `row` counts from the top of the scrollback). */
  cursor(): { row: number; column: number };
  /** Whether the program has asked the terminal to mark pastes (`ESC[?2004h`). */
  bracketedPaste(): boolean;
  /** Whether the cursor is visible: a spinner hides it (`ESC[?25l`) and must show it again. */
  cursorShown(): boolean;
  /** Every byte the program sent, for a failure message. */
  raw(): string;
  /** Resolves with the exit code once `gpt` has exited and its output is drawn. */
  exit(timeoutMs?: number): Promise<number | null>;
  /** Sends `signal` to gpt itself (as `kill` from another shell would), not through the terminal. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Ends the run if it is still going. */
  close(): void;
}

const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;
const open = new Set<TerminalRun>();

/** Closes every terminal a test left open; for afterEach. */
export function closeTerminals(): void {
  for (const run of open) run.close();
}

/** Runs `gpt ARGS` on a terminal of `columns` x `rows` (80x24 unless given). */
export function runInTerminal(sandbox: Sandbox, args: string[], options: TerminalOptions = {}): TerminalRun {
  const columns = options.columns ?? 80;
  const rows = options.rows ?? 24;
  const env: Record<string, string> = { ...sandbox.env, TERM: 'xterm-256color' };
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  // `script` makes a pty of size 0x0; stty sizes it before gpt starts, as a window would be.
  const gpt = `exec ${['node', GPT_BIN, ...args].map(quote).join(' ')}`;
  const command = options.unsized ? gpt : `stty cols ${columns} rows ${rows} && ${gpt}`;
  const child: ChildProcess = spawn('script', ['-qfec', command, '/dev/null'], {
    env,
    cwd: options.cwd ?? sandbox.home,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const screen = new xterm.Terminal({ cols: columns, rows, scrollback: 5000, allowProposedApi: true });
  let raw = '';
  let scriptErrors = '';
  let drawing = 0; // chunks handed to the emulator and not yet parsed
  let exited: number | null | undefined;
  const checks = new Set<() => void>();
  const recheck = () => {
    for (const check of [...checks]) check();
  };

  child.stdout!.on('data', (chunk: Buffer) => {
    raw += chunk.toString('latin1');
    drawing++;
    screen.write(chunk, () => {
      drawing--;
      recheck();
    });
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    scriptErrors += chunk.toString();
  });
  child.stdin!.on('error', () => undefined); // keys sent after the end are of no interest
  child.on('close', (code) => {
    // The exit code is known once all output has been drawn.
    const settle = () => {
      if (drawing > 0) return void setImmediate(settle);
      exited = code;
      recheck();
    };
    settle();
  });

  const lines = (): string[] => {
    const buffer = screen.buffer.active;
    const out: string[] = [];
    for (let i = 0; i < buffer.length; i++) out.push(buffer.getLine(i)?.translateToString(true) ?? '');
    while (out.length > 0 && out[out.length - 1] === '') out.pop();
    return out;
  };
  const logicalLines = (): string[] => {
    const buffer = screen.buffer.active;
    const cursorRow = buffer.baseY + buffer.cursorY;
    const out: string[] = [];
    const count = lines().length;
    for (let i = 0; i < count; i++) {
      const row = buffer.getLine(i);
      // A wrapped row is full to the edge: taken untrimmed, its last character may be a space.
      let whole = row?.translateToString(false) ?? '';
      if (i === count - 1) {
        // The blanks a prompt ends with (`You: `) are where the cursor waits: they count.
        const kept = i === cursorRow ? buffer.cursorX : 0;
        whole = whole.slice(0, Math.max(kept, whole.trimEnd().length));
      }
      if (i > 0 && row?.isWrapped) out[out.length - 1] += whole;
      else out.push(whole);
    }
    return out.map((line, i) => (i === out.length - 1 ? line : line.trimEnd()));
  };
  const text = () => logicalLines().join('\n');
  const describe = () =>
    `the screen shows:\n${lines()
      .map((l) => `|${l}`)
      .join('\n')}\n(raw: ${JSON.stringify(raw.slice(-2000))})` + (scriptErrors ? `\n(script: ${scriptErrors})` : '');

  /** Resolves once `done()` is true, checked after each drawing; rejects after timeoutMs. */
  const until = (done: () => boolean, what: string, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        finish();
        resolve();
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`waited ${timeoutMs} ms for ${what}; ${describe()}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        checks.delete(check);
      };
      checks.add(check);
      check();
    });

  const run: TerminalRun = {
    type: (keys) => void child.stdin!.write(keys),
    paste: (pasted) => void child.stdin!.write(`\x1b[200~${pasted}\x1b[201~`),
    waitFor(expected, timeoutMs = 15_000) {
      let found = false;
      const look = () => (found = typeof expected === 'string' ? text().includes(expected) : expected.test(text()));
      // Decided at one drawing: a later one may already have moved on (a prompt redrawn, say).
      return until(() => look() || exited !== undefined, String(expected), timeoutMs).then(() => {
        if (!found) throw new Error(`gpt exited (${exited}) before the screen showed ${String(expected)}; ${describe()}`);
      });
    },
    lines,
    logicalLines,
    text,
    cursor: () => ({ row: screen.buffer.active.baseY + screen.buffer.active.cursorY, column: screen.buffer.active.cursorX }),
    bracketedPaste: () => screen.modes.bracketedPasteMode,
    cursorShown: () => raw.lastIndexOf('\x1b[?25l') <= raw.lastIndexOf('\x1b[?25h'),
    raw: () => raw,
    async kill(signal) {
      // script runs a shell that execs gpt: gpt is script's only child.
      const r = await execa('pkill', [`-${signal.replace(/^SIG/, '')}`, '-P', String(child.pid)], { reject: false });
      if (r.exitCode !== 0) throw new Error(`no gpt under script (${child.pid}) to send ${signal} to`);
    },
    async exit(timeoutMs = 20_000) {
      await until(() => exited !== undefined, 'gpt to exit', timeoutMs);
      open.delete(run);
      child.stdin!.end();
      return exited ?? null;
    },
    close() {
      open.delete(run);
      child.stdin!.destroy();
      // Closing the pty's master (script) hangs up gpt, as closing a window does.
      if (exited === undefined) child.kill('SIGTERM');
      screen.dispose();
    },
  };
  open.add(run);
  return run;
}
