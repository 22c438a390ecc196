import { usageError } from '../core/errors.js';
import { editText } from '../io/editor.js';
import type { Deps } from './deps.js';

/**
 * `gpt ask -e`: the prompt composed in the user's editor, prefilled with what stdin and the
 * arguments gave. An empty file cancels, as an empty commit message does in git: exit 2,
 * the code of "no prompt given", since that is what it is.
 */
export async function promptFromEditor(prefill: string | undefined, deps: Deps): Promise<string> {
  const text = await editText(prefill ?? '', deps.env);
  if (text.trim() === '') throw usageError('the edited prompt is empty, so nothing was sent', 'to send it, write the prompt and save the file');
  return text;
}
