import { createInterface } from 'node:readline';

export type InputEvent =
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
  close(): void;
}

/**
 * On a terminal: readline with line editing and history, prompting on stderr; Ctrl-C
 * arrives as a key press, not as a signal. Otherwise each line of the pipe, undecorated.
 */
export function openLineInput(input: NodeJS.ReadStream, interactive: boolean): LineInput {
  const rl = createInterface({
    input,
    output: interactive ? process.stderr : undefined,
    terminal: interactive,
    crlfDelay: Infinity,
    historySize: interactive ? 200 : 0,
  });
  const queue: InputEvent[] = [];
  let waiting: ((event: InputEvent) => void) | undefined;
  let ended = false;

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
      if (queued) return Promise.resolve(queued);
      if (ended) return Promise.resolve({ kind: 'end' });
      if (interactive) {
        rl.setPrompt(prompt);
        rl.prompt();
      }
      return new Promise((resolve) => {
        waiting = resolve;
      });
    },
    close() {
      rl.close();
      // A pipe that is still open would keep the process alive.
      if (!interactive) input.destroy();
    },
  };

  rl.on('line', (text) => deliver({ kind: 'line', text }));
  rl.on('close', () => {
    ended = true;
    deliver({ kind: 'end' });
  });
  rl.on('SIGINT', () => {
    if (!waiting) {
      lineInput.onInterrupt?.();
      return;
    }
    const hadText = rl.line.length > 0;
    if (hadText) {
      // Ctrl-E then Ctrl-U: the line editor's own way to empty the line.
      rl.write(null, { ctrl: true, name: 'e' });
      rl.write(null, { ctrl: true, name: 'u' });
    }
    deliver({ kind: 'interrupt', hadText });
  });
  return lineInput;
}
