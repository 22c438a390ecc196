import { editorCommand, runEditor } from '../io/editor.js';
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

/** Opens the template in $VISUAL, $EDITOR or vi (as gpt ask -e does), first writing a commented skeleton if it is new. */
export async function runTemplateEdit(options: { name: string }, deps: Deps): Promise<void> {
  const file = templateFile(deps.paths, options.name);
  if (!(await pathExists(file))) {
    await ensurePrivateDir(templatesDir(deps.paths));
    await writePrivateFile(file, SKELETON);
  }
  await runEditor(editorCommand(deps.env), file, deps.env);
  await loadTemplate(deps.paths, options.name); // says now, not at the next ask, if it is broken
}
