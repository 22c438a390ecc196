/** What a line typed into `gpt chat` asks for. */
export type ChatCommand =
  | { kind: 'message'; text: string }
  | { kind: 'new' }
  | { kind: 'quit' }
  /** `/model NAME`: later turns use NAME; without a name, says which model is in use. */
  | { kind: 'model'; name: string | undefined }
  /** `/system TEXT`: later turns send TEXT as the system prompt; without text, says which one is in use. */
  | { kind: 'system'; text: string | undefined }
  /** `/retry`: the last question again, its reply replacing the last one. */
  | { kind: 'retry' }
  /** `/save NAME`: this conversation is kept (and continued) as the thread NAME. */
  | { kind: 'save'; name: string }
  /** `/edit`: the next message is composed in $VISUAL/$EDITOR. */
  | { kind: 'edit' }
  /** `/file PATH`: a text file (or a folder's) goes before the next message; alone, says what is added. */
  | { kind: 'file'; path: string | undefined }
  /** `/attach PATH|URL`: an image or PDF goes with the next message; alone, says what is added. */
  | { kind: 'attach'; spec: string | undefined }
  | { kind: 'help' }
  /** A line starting with `/` that is no command (or a command used wrongly): nothing is sent. */
  | { kind: 'mistake'; message: string; hint: string }
  /** Nothing to do yet: a blank line, or a line inside an open `"""` block. */
  | { kind: 'none' };

export const PROMPT = 'You: ';
export const MORE_PROMPT = '... ';
/** A line holding only this opens a multi-line message; the next such line sends it. */
export const BLOCK_FENCE = '"""';

const QUIT_WORDS = new Set(['quit', 'exit']);

/** What `/help` prints (on stderr). */
export const SLASH_HELP = `Commands (a line starting with / ; inside a ${BLOCK_FENCE} block they are text):
  /model [NAME]    use NAME from the next question on (alone: show the model)
  /system [TEXT]   send TEXT as the system prompt from the next question on (alone: show it)
  /retry           ask the last question again; the new reply replaces the last one
  /save NAME       keep this conversation as the thread NAME, and go on in it
  /edit            compose the next message in $VISUAL or $EDITOR (vi if unset)
  /file PATH       put a text file, or a folder's text files, before the next message
  /attach PATH|URL attach an image or PDF file, or an image URL, to the next message
                   (/file or /attach alone: show what the next message goes with)
  /help            this list
  new              begin a new conversation;  quit, exit or Ctrl-D: leave
A message that itself begins with / is sent by doubling the slash: //etc/hosts sends /etc/hosts.`;

const HELP_HINT = '/help lists the commands; start the line with // to send a message beginning with /';

/**
 * A line starting with `/`. `//` escapes: the line is a message with one slash removed.
 * Anything else that is not a command is a mistake rather than a message, so a mistyped
 * command is never sent to the model.
 */
function slashCommand(line: string): ChatCommand {
  const text = line.trimStart();
  if (text.startsWith('//')) return { kind: 'message', text: text.slice(1) };
  const match = /^\/(\S*)\s*([\s\S]*?)\s*$/.exec(text)!;
  const word = match[1]!.toLowerCase();
  const rest = match[2]!;
  const noArgument = (command: ChatCommand): ChatCommand =>
    rest === '' ? command : { kind: 'mistake', message: `/${word} takes no argument`, hint: HELP_HINT };
  switch (word) {
    case 'model':
      if (/\s/.test(rest)) return { kind: 'mistake', message: `'${rest}' is not a model name`, hint: 'use /model NAME, e.g. /model gpt-4o-mini' };
      return { kind: 'model', name: rest || undefined };
    case 'system':
      return { kind: 'system', text: rest || undefined };
    case 'save':
      if (rest === '') return { kind: 'mistake', message: '/save needs a thread name', hint: 'use /save NAME, e.g. /save whales' };
      return { kind: 'save', name: rest };
    case 'file':
      return { kind: 'file', path: unquoted(rest) };
    case 'attach':
      return { kind: 'attach', spec: unquoted(rest) };
    case 'retry':
      return noArgument({ kind: 'retry' });
    case 'edit':
      return noArgument({ kind: 'edit' });
    case 'help':
    case '?':
      return noArgument({ kind: 'help' });
    default:
      return { kind: 'mistake', message: `unknown command '/${word}'; nothing was sent`, hint: HELP_HINT };
  }
}

/** A path as typed: the rest of the line, without one pair of quotes around it (`"my notes.md"`). */
function unquoted(rest: string): string | undefined {
  const quoted = /^(["'])(.*)\1$/.exec(rest);
  const path = quoted ? quoted[2]! : rest;
  return path === '' ? undefined : path;
}

/**
 * Turns input lines into chat commands. One line is one message, except between two
 * `"""` lines, where the lines in between are one message (and `quit`/`new`/`/...` are text).
 * A line starting with `/` is a command (see SLASH_HELP); `//` sends a message starting with `/`.
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
    if (word.startsWith('/')) return slashCommand(line);
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
