import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { validateConfig } from '../../src/core/config.js';
import { parseSchemaText, schemaSpec } from '../../src/core/schema.js';
import { checkTemplate, fillTemplate } from '../../src/core/template.js';
import { parseThread } from '../../src/store/thread-file.js';

const examples = fileURLToPath(new URL('../../examples/', import.meta.url));

describe('examples', () => {
  it('config.yaml holds only settings gpt knows', async () => {
    const file = join(examples, 'config.yaml');
    expect(validateConfig(YAML.parse(await readFile(file, 'utf8')), file)).toMatchObject({ model: 'gpt-4o-mini' });
  });

  it('whales.yaml is a valid hand-written thread', async () => {
    const thread = parseThread(await readFile(join(examples, 'whales.yaml'), 'utf8'), 'whales.yaml');
    expect(thread.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant']);
  });

  it('the batch inputs pass gpt batch --dry-run', async () => {
    const gpt = fileURLToPath(new URL('../../bin/gpt.cjs', import.meta.url));
    // gpt keeps its compiled-code cache under XDG_CACHE_HOME: not in the repository.
    const cache = await mkdtemp(join(tmpdir(), 'gpt-examples-cache-'));
    try {
      for (const [file, items] of [
        ['prompts.jsonl', 5],
        ['words.txt', 3],
        ['file-reviews.jsonl', 3],
      ] as const) {
        const r = await execa('node', [gpt, 'batch', join(examples, file), '--dry-run'], {
          env: { PATH: process.env.PATH ?? '', HOME: examples, XDG_CACHE_HOME: cache },
          extendEnv: false,
          reject: false,
          input: '',
        });
        expect(r.exitCode, `${file}: ${r.stderr}`).toBe(0);
        expect(r.stdout).toContain(`items: ${items}`);
      }
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  });

  it('person.schema.json is made strict as gpt sends it, and templates/translate.yaml is a valid template', async () => {
    const schema = parseSchemaText(await readFile(join(examples, 'person.schema.json'), 'utf8'));
    expect(schemaSpec(schema, { multi: false, file: 'person.schema.json' }).schema.required).toEqual(['name', 'born', 'email', 'languages']);
    const file = join(examples, 'templates', 'translate.yaml');
    const template = checkTemplate(YAML.parse(await readFile(file, 'utf8')), file);
    expect(fillTemplate(template, 'Hello', { lang: 'French' }, 'translate')).toBe('Translate into French, keeping a neutral tone:\n\nHello\n');
  });

  it('every shell script parses', async () => {
    const scripts = (await readdir(examples)).filter((f) => f.endsWith('.sh'));
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) {
      const r = await execa('bash', ['-n', join(examples, script)], { reject: false });
      expect(r.exitCode, `${script}: ${r.stderr}`).toBe(0);
    }
  });
});
