import { spawn } from 'node:child_process';
import { ExitCode, GptError } from '../core/errors.js';
import { ensurePrivateDir, pathExists, writePrivateFile } from '../store/fs.js';
import { listTemplates, loadTemplate, templateFile, templatesDir } from '../store/templates.js';
import type { Deps } from './deps.js';

export async function runTemplateList(options: { json: boolean }, deps: Deps): Promise<void> {
  const names = await listTemplates(deps.paths);
  deps.out(options.json ? `${JSON.stringify(names)}\n` : names.map((n) => `${n}\n`).join(''));
}

/** The file as written (checked first, so a broken one says so). */
export async function runTemplateShow(options: { name: string }, deps: Deps): Promise<void> {
  const { text } = await loadTemplate(deps.paths, options.name);
  deps.out(text.endsWith('\n') ? text : `${text}\n`);
}

export async function runTemplatePath(options: { name: string }, deps: Deps): Promise<void> {
  deps.out(`${templateFile(deps.paths, options.name)}\n`);
}

const SKELETON = `# A gpt template: gpt ask -T NAME [-p KEY VALUE] [prompt]. Every key is optional.
# system: You are a careful copy editor.
# model: gpt-4o-mini
# temperature: 0.2
# schema: 'title, summary: one sentence'
prompt: |
  {{input}}
# defaults:
#   lang: English
`;

/** Opens the template in $VISUAL or $EDITOR, first writing a commented skeleton if it is new. */
export async function runTemplateEdit(options: { name: string }, deps: Deps): Promise<void> {
  const file = templateFile(deps.paths, options.name);
  // Read here, not through Deps: only this command needs the editor, and it hands the terminal over to it.
  const editor = process.env.VISUAL || process.env.EDITOR;
  if (!editor) throw new GptError(ExitCode.usage, 'no editor: neither VISUAL nor EDITOR is set', `set EDITOR, or edit ${file} yourself`);
  if (!(await pathExists(file))) {
    await ensurePrivateDir(templatesDir(deps.paths));
    await writePrivateFile(file, SKELETON);
  }
  const code = await new Promise<number | null>((resolve, reject) => {
    // Through the shell, as git does: EDITOR may hold arguments ("code --wait").
    const child = spawn(`${editor} "$1"`, ['gpt-template', file], { shell: true, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', resolve);
  });
  if (code !== 0) throw new GptError(ExitCode.usage, `the editor (${editor}) exited with ${code}`, `the template is at ${file}`);
  await loadTemplate(deps.paths, options.name); // says now, not at the next ask, if it is broken
}
