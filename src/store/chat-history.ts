import { appendFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir, PRIVATE_FILE, readTextIfExists, writePrivateFile } from './fs.js';

/** Lines kept for the line editor's Up arrow. */
export const HISTORY_LINES = 1000;

/**
 * `gpt chat`'s line history, `$XDG_STATE_HOME/gpt/chat_history`: one line per entry, oldest
 * first, private. Each entry is appended on its own (O_APPEND), so chats running at once
 * interleave their lines without losing any. Kept bounded by a rewrite when the file has
 * grown to twice the limit, which picks up lines another chat appended meanwhile.
 */
export class ChatHistory {
  private readonly file: string;
  private writing: Promise<void> = Promise.resolve();
  private failed = false;

  constructor(
    stateDir: string,
    private readonly warn: (line: string) => void,
  ) {
    this.file = join(stateDir, 'chat_history');
  }

  /** The newest HISTORY_LINES entries, newest first (as readline wants them); none if unreadable. */
  async load(): Promise<string[]> {
    try {
      const text = await readTextIfExists(this.file);
      if (text === undefined) return [];
      const lines = text.split('\n').filter((line) => line !== '');
      if (lines.length > 2 * HISTORY_LINES) await this.trim();
      return lines.slice(-HISTORY_LINES).reverse();
    } catch (error) {
      this.warnOnce(error);
      return [];
    }
  }

  /** Keeps a line typed at the prompt, unless it starts with a space (as shells do with ignorespace). */
  add(line: string): void {
    if (!keeps(line)) return;
    this.writing = this.writing
      .then(async () => {
        await ensurePrivateDir(join(this.file, '..'));
        await appendFile(this.file, `${line}\n`, { mode: PRIVATE_FILE });
      })
      .catch((error: unknown) => this.warnOnce(error));
  }

  /** Resolves once every line added so far is written. */
  settled(): Promise<void> {
    return this.writing;
  }

  /** Rewrites the file with its newest lines, then adds what others appended to the old file meanwhile. */
  private async trim(): Promise<void> {
    const old = await open(this.file, 'r');
    try {
      const seen = await old.readFile();
      const lines = seen
        .toString('utf8')
        .split('\n')
        .filter((line) => line !== '');
      await writePrivateFile(this.file, `${lines.slice(-HISTORY_LINES).join('\n')}\n`, { fsync: false });
      const { size } = await old.stat();
      if (size > seen.length) {
        const late = Buffer.alloc(size - seen.length);
        await old.read(late, 0, late.length, seen.length);
        await appendFile(this.file, late, { mode: PRIVATE_FILE });
      }
    } finally {
      await old.close();
    }
  }

  private warnOnce(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.warn(`gpt: chat history not kept (${(error as Error).message}) — check ${this.file}`);
  }
}

/** What goes into the history: not blank lines, nor lines starting with a space (kept private on purpose). */
export const keeps = (line: string) => line.trim() !== '' && !line.startsWith(' ');
