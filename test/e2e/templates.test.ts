import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGpt } from '../support/cli.js';
import { sandbox, server, useHarness } from '../support/harness.js';

useHarness();

const lastBody = () => server.chatRequests().at(-1)!.body;
const saveTemplate = async (name: string, yaml: string) => {
  const dir = join(sandbox.configHome, 'gpt', 'templates');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${name}.yaml`), yaml);
};

describe('saved templates', () => {
  it('-T fills {{input}} and -p values (defaults from the file), and sets system, model and temperature; flags win', async () => {
    await saveTemplate(
      'tr',
      [
        'system: You translate.',
        'model: tpl-model',
        'temperature: 0.3',
        'max_tokens: 99',
        'prompt: "Translate to {{lang}} in a {{tone}} tone: {{input}}"',
        'defaults:',
        '  tone: warm',
      ].join('\n'),
    );
    const r = await runGpt(sandbox, ['ask', '-T', 'tr', '-p', 'lang', 'French', 'Good morning'], { input: '' });
    expect(r.exitCode).toBe(0);
    expect(lastBody()).toMatchObject({
      model: 'tpl-model',
      temperature: 0.3,
      max_tokens: 99,
      messages: [
        { role: 'system', content: 'You translate.' },
        { role: 'user', content: 'Translate to French in a warm tone: Good morning' },
      ],
    });
    await runGpt(sandbox, ['ask', '-m', 'flag-model', '-t', '1', '-T', 'tr', '-p', 'lang', 'German', '-p', 'tone', 'dry', 'Hi']);
    expect(lastBody()).toMatchObject({ model: 'flag-model', temperature: 1 });
    expect(lastBody().messages.at(-1).content).toBe('Translate to German in a dry tone: Hi');
  });

  it('a missing value is a usage error naming it, before anything is sent', async () => {
    await saveTemplate('tr', 'prompt: "To {{lang}} ({{style}}): {{input}}"\n');
    const r = await runGpt(sandbox, ['ask', '-T', 'tr', 'Hi']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe('gpt: template tr needs {{lang}}, {{style}} — give -p lang VALUE -p style VALUE\n');
    expect(server.chatRequests()).toHaveLength(0);
  });

  it("a template's schema shapes the reply; a template without {{input}} gets the input after it", async () => {
    await saveTemplate('person', 'schema: "name, age int"\nprompt: Extract the person.\n');
    const r = await runGpt(sandbox, ['ask', '-T', 'person'], { input: 'Ada Lovelace, 36' });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('{"name":"Extract the person.\\n\\nAda Lovelace, 36","age":42}\n');
    expect(lastBody().response_format.json_schema.schema.required).toEqual(['name', 'age']);
  });

  it('gpt template list, show and path; an unknown template or key is a usage error', async () => {
    await saveTemplate('b', 'prompt: "{{input}}"\n');
    await saveTemplate('a', 'system: hi\n');
    expect((await runGpt(sandbox, ['template', 'list'])).stdout).toBe('a\nb\n');
    expect((await runGpt(sandbox, ['template', 'show', 'a'])).stdout).toBe('system: hi\n');
    const path = (await runGpt(sandbox, ['template', 'path', 'a'])).stdout.trim();
    expect(path).toBe(join(sandbox.configHome, 'gpt', 'templates', 'a.yaml'));
    const missing = await runGpt(sandbox, ['ask', '-T', 'nope', 'x']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain("there is no template 'nope'");
    await saveTemplate('c', 'sytem: typo\n');
    expect((await runGpt(sandbox, ['ask', '-T', 'c', 'x'])).stderr).toContain("unknown key 'sytem'");
    expect((await runGpt(sandbox, ['template', 'path', '../x'])).exitCode).toBe(2);
  });

  it('gpt template edit makes a private skeleton and runs the editor on it', async () => {
    const r = await runGpt(sandbox, ['template', 'edit', 'new'], { env: { EDITOR: 'true' } });
    expect(r.exitCode).toBe(0);
    const file = join(sandbox.configHome, 'gpt', 'templates', 'new.yaml');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await runGpt(sandbox, ['template', 'show', 'new'])).stdout).toContain('{{input}}');
  });

  it('gpt batch --template NAME: a saved template for every item (item fields over -p over defaults); text with {{ stays inline', async () => {
    await saveTemplate('tr', 'model: tpl-model\nschema: "text"\nprompt: "To {{lang}}: {{input}}"\ndefaults:\n  lang: English\n');
    await writeFile(join(sandbox.home, 'p.jsonl'), '{"id": "a", "prompt": "one"}\n{"id": "b", "prompt": "two", "lang": "German"}\n');
    const r = await runGpt(sandbox, ['batch', 'p.jsonl', '--template', 'tr', '-p', 'lang', 'French']);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.data)).toEqual([{ text: 'To French: one' }, { text: 'To German: two' }]);
    expect(server.chatRequests().every((q) => q.body.model === 'tpl-model')).toBe(true);
    const inline = await runGpt(sandbox, ['batch', 'p.jsonl', '--template', 'Say {{prompt}}']);
    expect(inline.stdout).toContain('"reply":"echo: Say one"');
  });

  it('shell completion offers the saved template names', async () => {
    await saveTemplate('translate', 'prompt: "{{input}}"\n');
    await saveTemplate('summary', 'system: hi\n');
    expect(await runGpt(sandbox, ['__complete', 'templates'])).toMatchObject({ exitCode: 0, stdout: 'summary\ntranslate\n' });
  });

  it("gpt chat -T: the template's settings, and its prompt around each message; a missing value fails at the start", async () => {
    await saveTemplate('fr', 'system: Be brief.\nmodel: tpl-model\nprompt: "In {{lang}}: {{input}}"\n');
    const r = await runGpt(sandbox, ['chat', '-T', 'fr', '-p', 'lang', 'French'], { input: 'one\ntwo\n' });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('echo: In French: one\necho: In French: two\n');
    expect(lastBody()).toMatchObject({ model: 'tpl-model', messages: [{ role: 'system', content: 'Be brief.' }, {}, {}, { content: 'In French: two' }] });
    const missing = await runGpt(sandbox, ['chat', '-T', 'fr'], { input: 'one\n' });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('template fr needs {{lang}}');
  });
});
