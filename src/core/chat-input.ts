/** What a line typed into `gpt chat` asks for. */
export type ChatCommand =
  | { kind: 'message'; text: string }
  | { kind: 'new' }
  | { kind: 'quit' }
  /** Nothing to do yet: a blank line, or a line inside an open `"""` block. */
  | { kind: 'none' };

export const PROMPT = 'You: ';
export const MORE_PROMPT = '... ';
/** A line holding only this opens a multi-line message; the next such line sends it. */
export const BLOCK_FENCE = '"""';

const QUIT_WORDS = new Set(['quit', 'exit']);

/**
 * Turns input lines into chat commands. One line is one message, except between two
 * `"""` lines, where the lines in between are one message (and `quit`/`new` are text).
 */
export class ChatInput {
  private block: string[] | undefined;

  /** The prompt for the next line: `You: `, or `... ` inside a block. */
  get prompt(): string {
    return this.block ? MORE_PROMPT : PROMPT;
  }

  get inBlock(): boolean {
    return this.block !== undefined;
  }

  push(line: string): ChatCommand {
    const word = line.trim();
    if (this.block) {
      if (word !== BLOCK_FENCE) {
        this.block.push(line);
        return { kind: 'none' };
      }
      return this.closeBlock();
    }
    if (word === BLOCK_FENCE) {
      this.block = [];
      return { kind: 'none' };
    }
    if (word === '') return { kind: 'none' };
    if (QUIT_WORDS.has(word)) return { kind: 'quit' };
    if (word === 'new') return { kind: 'new' };
    return { kind: 'message', text: line };
  }

  /** End of input: an open block is sent as it is rather than lost. */
  end(): ChatCommand {
    return this.block ? this.closeBlock() : { kind: 'none' };
  }

  /** Ctrl-C inside a block drops it. */
  cancelBlock(): void {
    this.block = undefined;
  }

  private closeBlock(): ChatCommand {
    const text = (this.block ?? []).join('\n');
    this.block = undefined;
    return text.trim() === '' ? { kind: 'none' } : { kind: 'message', text };
  }
}
