import { createInterface } from 'node:readline';
import { MORE_PROMPT } from '../core/chat-input.js';

export type InputEvent =
  /** A line typed or piped; on a terminal, a paste of several lines is one event with its line breaks. */
  | { kind: 'line'; text: string }
  /** End of input: Ctrl-D, or the pipe closed. */
  | { kind: 'end' }
  /** Ctrl-C at the prompt (terminal only). Text already typed on the line has been cleared. */
  | { kind: 'interrupt'; hadText: boolean };

/** Lines typed at a prompt, or piped in; for `gpt chat`. */
export interface LineInput {
  /** Shows `prompt` (on a terminal) and waits for the next line or event. */
  next(prompt: string): Promise<InputEvent>;
  /** Called on Ctrl-C while no line is awaited, i.e. while a reply is on its way. */
  onInterrupt: (() => void) | undefined;
  /** Ends the line of a prompt still waiting for input, so that what is written next (a signal's error) has its own line. */
  leavePrompt(): void;
  /** Lends the terminal to `work` (an editor): the line editor stops reading and raw mode is off meanwhile. */
  suspend<T>(work: () => Promise<T>): Promise<T>;
  close(): void;
}

/**
 * The terminal as readline draws on it: only while a prompt waits. Keys typed while a reply
 * comes in are still read (Ctrl-C stops the reply; a line is kept for the next prompt), but
 * their echo would land inside the reply.
 */
function whilePrompting(output: NodeJS.WriteStream, prompting: () => boolean): NodeJS.WriteStream {
  const gate = {
    write(chunk: string, encoding?: BufferEncoding | (() => void), done?: () => void): boolean {
      const callback = typeof encoding === 'function' ? encoding : done;
      if (prompting()) return output.write(chunk, callback);
      callback?.();
      return true;
    },
    get columns() {
      return output.columns;
    },
    get rows() {
      return output.rows;
    },
    isTTY: output.isTTY,
    on(event: string, listener: (...args: unknown[]) => void) {
      output.on(event, listener);
      return gate;
    },
    removeListener(event: string, listener: (...args: unknown[]) => void) {
      output.removeListener(event, listener);
      return gate;
    },
  };
  return gate as unknown as NodeJS.WriteStream;
}

/** Asks the terminal to mark pasted text (`ESC[200~` ... `ESC[201~`), and to stop. */
const BRACKETED_PASTE_ON = '\x1b[?2004h';
const BRACKETED_PASTE_OFF = '\x1b[?2004l';

/** Lines typed in earlier sessions (newest first), and where a new one is kept. */
export interface LineHistory {
  entries: string[];
  /** How many lines the line editor keeps. */
  limit: number;
  add(line: string): void;
}

/**
 * On a terminal: readline with line editing and history, prompting on stderr; Ctrl-C
 * arrives as a key press, not as a signal. Otherwise each line of the pipe, undecorated.
 * A line starting with a space is kept out of the history, as shells do (ignorespace).
 */
export function openLineInput(input: NodeJS.ReadStream, interactive: boolean, output: NodeJS.WriteStream, history?: LineHistory): LineInput {
  /** Resolves the line a prompt waits for: set while a prompt is shown, on a terminal. */
  let waiting: ((event: InputEvent) => void) | undefined;
  const rl = createInterface({
    input,
    output: interactive ? whilePrompting(output, () => waiting !== undefined) : undefined,
    terminal: interactive,
    crlfDelay: Infinity,
    history: interactive ? [...(history?.entries ?? [])] : [],
    historySize: interactive ? (history?.limit ?? 200) : 0,
  });
  const queue: InputEvent[] = [];
  let ended = false;
  // The terminal is asked through stderr: with stderr redirected, it is not asked.
  const paste = interactive && output.isTTY ? watchPastes(input, output) : undefined;

  const deliver = (event: InputEvent) => {
    const resolve = waiting;
    waiting = undefined;
    if (resolve) resolve(event);
    else queue.push(event);
  };
  const lineInput: LineInput = {
    onInterrupt: undefined,
    next(prompt) {
      const queued = queue.shift();
      if (queued) {
        // A line typed while a reply came in is sent now: shown now, after its prompt, as if typed.
        if (interactive && queued.kind === 'line') output.write(`${prompt}${queued.text}\n`);
        return Promise.resolve(queued);
      }
      if (ended) return Promise.resolve({ kind: 'end' });
      // Waiting before the prompt is drawn: readline draws only while a line is awaited.
      const line = new Promise<InputEvent>((resolve) => {
        waiting = resolve;
      });
      if (interactive) {
        rl.setPrompt(prompt);
        rl.prompt();
      }
      return line;
    },
    leavePrompt() {
      if (interactive && waiting) output.write('\n');
      waiting = undefined;
    },
    async suspend(work) {
      if (!interactive) return work();
      rl.pause();
      input.setRawMode?.(false);
      try {
        return await work();
      } finally {
        input.setRawMode?.(true);
        rl.resume();
      }
    },
    close() {
      rl.close();
      paste?.stop();
      // A pipe that is still open would keep the process alive.
      if (!interactive) input.destroy();
    },
  };

  rl.on('line', (text) => {
    if (interactive) remember(text);
    if (!paste) return deliver({ kind: 'line', text });
    const message = paste.take(text);
    if (message !== undefined) deliver({ kind: 'line', text: message });
  });
  // A paste that ended with its own line break is sent at once, as a typed line is;
  // otherwise its last line stays in the editor, to be finished and sent with Enter.
  paste?.onEnd((lastLineOpen) => {
    if (!lastLineOpen) {
      const message = paste.take(undefined);
      if (message !== undefined) deliver({ kind: 'line', text: message });
      return;
    }
    if (!paste.holding()) return;
    rl.setPrompt(MORE_PROMPT);
    rl.prompt(true);
  });
  // readline has already put the line first in its history (unless blank or a repeat).
  const remember = (text: string) => {
    const entries = (rl as unknown as { history: string[] }).history;
    if (text.startsWith(' ')) {
      if (entries[0] === text) entries.shift();
      return;
    }
    history?.add(text);
  };
  rl.on('close', () => {
    ended = true;
    const unsent = paste?.take(undefined);
    if (unsent !== undefined) deliver({ kind: 'line', text: unsent });
    deliver({ kind: 'end' });
  });
  rl.on('SIGINT', () => {
    if (!waiting) {
      lineInput.onInterrupt?.();
      return;
    }
    const hadText = rl.line.length > 0 || Boolean(paste?.holding());
    paste?.drop();
    if (rl.line.length > 0) {
      // Ctrl-E then Ctrl-U: the line editor's own way to empty the line.
      rl.write(null, { ctrl: true, name: 'e' });
      rl.write(null, { ctrl: true, name: 'u' });
    }
    deliver({ kind: 'interrupt', hadText });
  });
  return lineInput;
}

/**
 * Bracketed paste: the lines readline reads between the terminal's paste marks are held
 * and joined, so a paste of several lines is one message. Node's readline (20, 22 and 24)
 * names the marks as keys ('paste-start', 'paste-end') but still ends a line at each
 * line break inside them.
 */
function watchPastes(input: NodeJS.ReadStream, output: NodeJS.WriteStream) {
  let pasting = false;
  let lastKeyEndedLine = false;
  let held: string[] = [];
  let ended: (lastLineOpen: boolean) => void = () => {};
  // readline's own listener was added first, so it has handled each key before this sees it.
  const onKey = (_text: string | undefined, key: { name?: string } | undefined) => {
    const name = key?.name;
    if (name === 'paste-start') {
      pasting = true;
      lastKeyEndedLine = false;
    } else if (name === 'paste-end') {
      pasting = false;
      ended(!lastKeyEndedLine);
    } else if (pasting) {
      lastKeyEndedLine = name === 'return' || name === 'enter';
    }
  };
  input.on('keypress', onKey);
  const restore = () => void output.write(BRACKETED_PASTE_OFF);
  output.write(BRACKETED_PASTE_ON);
  // Left on, the user's shell would receive the marks around every later paste.
  process.once('exit', restore);
  return {
    onEnd(callback: (lastLineOpen: boolean) => void) {
      ended = callback;
    },
    holding: () => held.length > 0,
    /** A line readline ended: held while pasting, else the message (with any held lines before it). */
    take(line: string | undefined): string | undefined {
      if (pasting && line !== undefined) {
        held.push(line);
        return undefined;
      }
      const lines = line === undefined ? held : [...held, line];
      held = [];
      return lines.length > 0 ? lines.join('\n') : undefined;
    },
    drop() {
      held = [];
    },
    stop() {
      input.off('keypress', onKey);
      process.off('exit', restore);
      restore();
    },
  };
}
