// gpt ask -e: the prompt composed in $VISUAL/$EDITOR, here small scripts that play the editor.
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGpt } from '../support/cli.js';
import { sandbox, server, useHarness } from '../support/harness.js';

useHarness();

/**
 * An editor: records the file it was given, the modes of the file and its folder and what the
 * file held, then runs `action` on it ($1).
 */
async function editor(name: string, action: string): Promise<string> {
  const script = join(sandbox.home, name);
  const log = join(sandbox.home, `${name}.log`);
  await writeFile(
    script,
    `#!/bin/sh
printf '%s\\n%s %s\\n' "$1" "$(stat -c %a "$1")" "$(stat -c %a "$(dirname "$1")")" > '${log}'
cat "$1" > '${log}.before'
${action}
`,
  );
  await chmod(script, 0o755);
  return script;
}

async function editorLog(name: string) {
  const [file, modes] = (await readFile(join(sandbox.home, `${name}.log`), 'utf8')).trim().split('\n');
  return { file: file!, modes, before: await readFile(join(sandbox.home, `${name}.log.before`), 'utf8') };
}

const gone = (path: string) =>
  stat(path).then(
    () => false,
    () => true,
  );
const sentPrompt = () => server.chatRequests().at(-1)?.body.messages.at(-1).content;

describe('gpt ask -e', () => {
  it('sends what was saved in $EDITOR; the temp file is private and removed afterwards', async () => {
    const ed = await editor('writer', `printf 'What is the biggest animal?\\n' > "$1"`);
    const r = await runGpt(sandbox, ['ask', '-e'], { env: { EDITOR: ed } });
    expect(r).toMatchObject({ exitCode: 0, stdout: 'echo: What is the biggest animal?\n', stderr: '' });
    expect(sentPrompt()).toBe('What is the biggest animal?\n');
    const log = await editorLog('writer');
    expect(log.modes).toBe('600 700');
    expect(await gone(dirname(log.file))).toBe(true);
  });

  it('starts from piped stdin and the arguments; $VISUAL comes before $EDITOR', async () => {
    const visual = await editor('visual', `printf '\\nEdited.' >> "$1"`);
    const other = await editor('other', ': > "$1"');
    const r = await runGpt(sandbox, ['ask', '--edit', 'Summarise'], { input: 'piped text\n', env: { VISUAL: visual, EDITOR: other } });
    expect(r.exitCode).toBe(0);
    expect((await editorLog('visual')).before).toBe('piped text\n\nSummarise');
    expect(sentPrompt()).toBe('piped text\n\nSummarise\nEdited.');
  });

  it('an empty file cancels: exit 2, a clear line, nothing sent, the temp folder removed', async () => {
    const ed = await editor('emptier', ': > "$1"');
    const r = await runGpt(sandbox, ['ask', '-e', 'draft'], { env: { EDITOR: ed } });
    expect(r).toMatchObject({ exitCode: 2, stdout: '' });
    expect(r.stderr).toBe('gpt: the edited prompt is empty, so nothing was sent — to send it, write the prompt and save the file\n');
    expect(server.chatRequests()).toHaveLength(0);
    expect(await gone(dirname((await editorLog('emptier')).file))).toBe(true);
  });

  it('an editor that fails sends nothing (exit 2) and still removes the temp folder', async () => {
    const ed = await editor('crasher', `printf 'half' > "$1"; exit 3`);
    const r = await runGpt(sandbox, ['ask', '-e'], { env: { EDITOR: ed } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^gpt: the editor \(.*crasher\) failed \(exit 3\), so nothing was sent — set VISUAL or EDITOR/);
    expect(server.chatRequests()).toHaveLength(0);
    expect(await gone(dirname((await editorLog('crasher')).file))).toBe(true);
  });

  it('takes an editor command with arguments', async () => {
    const ed = await editor('args', `printf '%s' "$0 $*" > /dev/null; printf 'hi' > "$1"`);
    const r = await runGpt(sandbox, ['ask', '-e'], { env: { EDITOR: `sh ${ed}` } });
    expect(r).toMatchObject({ exitCode: 0, stdout: 'echo: hi\n' });
  });
});
