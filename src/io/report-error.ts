import { ExitCode, GptError, formatError } from '../core/errors.js';
import { redact } from '../core/secrets.js';
import { harmless, harmlessLine } from '../core/text.js';
import { errorJson } from './render.js';
import type { Env } from '../core/types.js';
import { sourcePositions } from './stack-positions.js';

type Write = (text: string) => void;

export interface ErrorOutput {
  stdout: Write;
  stderr: Write;
  /** Never printed: removed from the line, the JSON object and the stack. */
  secret: string | undefined;
  /** --json: the error is also one object on stdout. */
  json: boolean;
  /** --verbose or DEBUG: the stack follows the line. */
  verbose: boolean;
}

/**
 * The one place an error is printed: `gpt: what — what to do` on stderr, the object on stdout
 * with --json, the stack only with --verbose or DEBUG, the API key redacted from each.
 * The line is for a person and may quote a file's name or a server's words: its control
 * characters and newlines are shown (`^[`, `^J`), never obeyed, and it stays one line.
 * Returns the exit code.
 */
export function reportError(error: unknown, output: ErrorOutput): number {
  const known = knownError(error);
  const clean = (text: string) => redact(text, output.secret);
  if (output.json) output.stdout(`${clean(JSON.stringify(errorJson(known)))}\n`);
  output.stderr(`${harmlessLine(clean(formatError(known)))}\n`);
  if (output.verbose) output.stderr(`${harmless(clean(sourcePositions(stackOf(error))))}\n`);
  return known.exitCode;
}

/** Anything not a GptError is a bug: said in the same one-line form, exit 1. */
export function knownError(error: unknown): GptError {
  if (error instanceof GptError) return error;
  return new GptError(ExitCode.internal, `internal error: ${(error as Error)?.message ?? String(error)}`, 'please report this; --verbose shows the details');
}

/** The stack, and those of its causes (the SDK's error behind ours). */
function stackOf(error: unknown): string {
  const parts: string[] = [];
  for (let e = error as { stack?: string; cause?: unknown } | undefined; e && parts.length < 5; e = e.cause as typeof e) {
    parts.push(e.stack ?? String(e));
    if (typeof e !== 'object') break;
  }
  return parts.join('\nCaused by: ');
}

/** --verbose or DEBUG, also before the flags are parsed. */
export const wantsStack = (argv: string[], env: Env) => argv.includes('--verbose') || Boolean(env.DEBUG);
