import { DYNAMIC_KINDS } from '../core/completion-script.js';
import { fdOutput } from '../io/output.js';
import type { Process } from '../process.js';

// The command lines that shell completion runs on every Tab (and `gpt thread list`, typed
// often), answered without commander: loading it and wiring every command costs more than
// these commands do. Only lines read here exactly as commander reads them are taken; any
// other (one flag more, --help, a typo) goes to commander, which stays the contract. Each
// runs what its commander action runs (cli/thread.ts, cli/completion.ts).

type Run = (proc: Process) => Promise<number>;

/** How to run `argv` without commander, or undefined when commander must read it. */
export function quickLine(argv: readonly string[]): Run | undefined {
  const [first, second, ...rest] = argv;
  if (first === '__complete' && rest.length === 0) return complete(second);
  if (first !== 'thread') return undefined;
  const line = second === 'list' || second === 'ls' ? readLine(rest, ['--json']) : second === 'path' ? readLine(rest, []) : undefined;
  if (!line) return undefined;
  const { args, common } = line;
  if (second === 'path') {
    if (args.length !== 1) return undefined;
    return async (proc) => {
      const [{ runFolderCommand }, { runThreadPath }] = await Promise.all([import('../run-folder.js'), import('../commands/thread-list.js')]);
      return runFolderCommand(proc, common, (deps) => runThreadPath({ thread: args[0]! }, deps), stdoutOf(proc));
    };
  }
  if (args.length !== 0) return undefined;
  return async (proc) => {
    const [{ runFolderCommand }, { runThreadList }] = await Promise.all([import('../run-folder.js'), import('../commands/thread-list.js')]);
    return runFolderCommand(proc, common, (deps) => runThreadList({ json: common.json }, deps), stdoutOf(proc));
  };
}

/** `gpt __complete KIND`, for the kinds there are (commander says what is wrong with others). */
function complete(value: string | undefined): Run | undefined {
  const kind = DYNAMIC_KINDS.find((k) => k === value);
  if (!kind) return undefined;
  return async (proc) => {
    const { quickDeps, runComplete } = await import('../commands/complete.js');
    // A Tab is no place for an error: a write that failed is not reported (as in main).
    await runComplete({ kind }, await quickDeps(proc.env, stdoutOf(proc)));
    return 0;
  };
}

/** stdout written to its descriptor: creating process.stdout would cost more than these commands. */
const stdoutOf = (proc: Process) => fdOutput(1, () => proc.stdout);

/** The flags of every thread admin command (cli/thread.ts), in the form its action gets them. */
const COMMON_FLAGS = { '-q': 'quiet', '--quiet': 'quiet', '--verbose': 'verbose' } as const;

/**
 * The words after `gpt thread list|path`: the common flags, `flags` (each a boolean), and
 * arguments; undefined at any other word that starts with `-`.
 */
function readLine(words: readonly string[], flags: readonly '--json'[]) {
  const common = { quiet: false, verbose: false, json: false };
  const args: string[] = [];
  for (const word of words) {
    if (Object.hasOwn(COMMON_FLAGS, word)) common[COMMON_FLAGS[word as keyof typeof COMMON_FLAGS]] = true;
    else if ((flags as readonly string[]).includes(word)) common.json = true;
    else if (word.startsWith('-')) return undefined;
    else args.push(word);
  }
  return { args, common };
}
