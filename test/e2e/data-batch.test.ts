import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGpt } from '../support/cli.js';
import { sandbox, server, useHarness } from '../support/harness.js';
import { jsonLines } from '../support/json-lines.js';

useHarness();

const lastUser = (body: { messages: { content: string }[] }) => body.messages.at(-1)!.content;

describe('gpt batch --schema', () => {
  it('1,000 items with a few bad replies: every line has data (a JSON value) or an error, and the reply is kept', async () => {
    const bad = new Set(['item 7', 'item 500', 'item 999']);
    server.setDefault((req) => {
      const prompt = lastUser(req.body);
      if (prompt === 'item 7') return { kind: 'reply', text: 'not json' };
      if (prompt === 'item 500') return { kind: 'reply', text: '{"name": 1}' };
      if (prompt === 'item 999') return { kind: 'reply', refusal: 'No.' };
      return { kind: 'reply' }; // fitting JSON, made from the schema
    });
    await writeFile(join(sandbox.home, 'items.txt'), Array.from({ length: 1000 }, (_, i) => `item ${i}`).join('\n'));
    const r = await runGpt(sandbox, ['batch', 'items.txt', '-j', '16', '--schema', 'name'], { timeout: 120_000 });
    expect(r.exitCode).toBe(8);
    const lines = jsonLines(r.stdout);
    expect(lines).toHaveLength(1000);
    for (const line of lines) {
      const prompt = `item ${Number(line.id) - 1}`;
      if (bad.has(prompt)) {
        expect(line.data).toBeUndefined();
        expect(line.error.exit_code).toBe(9);
      } else {
        expect(line.error).toBeUndefined();
        expect(line.data).toEqual({ name: prompt });
      }
    }
    const byPrompt = (p: string) => lines[Number(p.split(' ')[1])];
    expect(byPrompt('item 7')).toMatchObject({ reply: 'not json', error: { message: 'the reply is not JSON' } });
    expect(byPrompt('item 500').error.message).toBe('the reply does not fit --schema (/name must be string)');
    expect(byPrompt('item 999').error.message).toBe('the model refused: No.');
    expect(r.stderr).toContain('1,000 items: 997 done, 3 failed');
    expect(server.chatRequests()[0]!.body.response_format.type).toBe('json_schema');
  }, 150_000);

  it("an item may carry its own schema (object or concise form); a bad one is that item's input error", async () => {
    await writeFile(
      join(sandbox.home, 'p.jsonl'),
      [
        '{"id": "a", "prompt": "Ada", "schema": "name, age int"}',
        '{"id": "b", "prompt": "Bob", "schema": {"type": "object", "properties": {"ok": {"type": "boolean"}}}}',
        '{"id": "c", "prompt": "plain"}',
      ].join('\n'),
    );
    const r = await runGpt(sandbox, ['batch', 'p.jsonl']);
    expect(r.exitCode).toBe(0);
    const [a, b, c] = jsonLines(r.stdout);
    expect(a.data).toEqual({ name: 'Ada', age: 42 });
    expect(b.data).toEqual({ ok: true });
    expect(c).not.toHaveProperty('data');
    expect(c.reply).toBe('echo: plain');
    await writeFile(join(sandbox.home, 'bad.jsonl'), '{"prompt": "x", "schema": {"type": "object", "additionalProperties": true}}\n');
    const bad = await runGpt(sandbox, ['batch', 'bad.jsonl']);
    expect(bad.exitCode).toBe(6);
    expect(bad.stderr).toContain('`schema` allows extra properties');
  });

  it('refuses --schema with --remote (its replies are not checked yet)', async () => {
    await writeFile(join(sandbox.home, 'p.txt'), 'x\n');
    const r = await runGpt(sandbox, ['batch', 'p.txt', '--remote', '--schema', 'name']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--schema applies to local runs');
  });
});
