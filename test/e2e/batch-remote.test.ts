import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { GPT_BIN, runGpt } from '../support/cli.js';
import { sandbox, server, useHarness } from '../support/harness.js';
import { jsonLines } from '../support/json-lines.js';

useHarness();

const routes = () => server.requests.map((r) => `${r.method} ${r.path.replace(/(batch|file)_?[-\w]*?fake[-_]\d+/g, '$1')}`);
const FAST = ['--poll-interval', '0.01'];

async function writeInput(ids: string[]): Promise<void> {
  await writeFile(join(sandbox.home, 'p.jsonl'), ids.map((id) => JSON.stringify({ id, prompt: `prompt ${id}` })).join('\n'));
}

describe('gpt batch --remote', () => {
  it('uploads a request file, creates the batch, polls until it ends, and writes results in input order', async () => {
    server.enqueueBatch({ inProgressPolls: 2, reverseOutput: true });
    await writeInput(['a', 'b', 'c']);
    const r = await runGpt(sandbox, ['batch', 'p.jsonl', '--remote', '-m', 'm-remote', '-t', '0.5', ...FAST]);
    expect(r.exitCode).toBe(0);
    expect(jsonLines(r.stdout)).toEqual(
      ['a', 'b', 'c'].map((id) => ({
        id,
        reply: `echo: prompt ${id}`,
        model: 'm-remote',
        finish_reason: 'stop',
        usage: { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 },
        cost: null,
      })),
    );
    expect(r.stderr).toMatch(/^gpt: created batch batch_fake_\d+ \(3 requests\)\n/);
    expect(r.stderr).toMatch(/gpt: 3 items: 3 done, 0 failed, 39 tokens/);

    const [upload] = server.files();
    expect(upload!.purpose).toBe('batch');
    expect(jsonLines(upload!.text())[0]).toEqual({
      custom_id: 'a',
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: 'm-remote', messages: [{ role: 'user', content: 'prompt a' }], temperature: 0.5 },
    });
    const [batch] = server.batches();
    expect(batch).toMatchObject({ endpoint: '/v1/chat/completions', completionWindow: '24h', retrieves: 3 });
    // The first check comes at once after creating; the output file is read once it has ended.
    expect(routes()).toEqual([
      'POST /v1/files',
      'POST /v1/batches',
      'GET /v1/batches/batch',
      'GET /v1/batches/batch',
      'GET /v1/batches/batch',
      'GET /v1/files/file/content',
    ]);
  });

  it('reports an expired batch with what completed; per-request errors are lines with "error"; --resume sends the rest', async () => {
    server.enqueueBatch({ outcome: 'expired', completedCount: 3, failIds: ['b'] });
    await writeInput(['a', 'b', 'c', 'd', 'e']);
    const r = await runGpt(sandbox, ['batch', 'p.jsonl', '--remote', '-o', 'out.jsonl', ...FAST]);
    expect(r.exitCode).toBe(8);
    const out = join(sandbox.home, 'out.jsonl');
    const written = jsonLines(await readFile(out, 'utf8'));
    expect(written.map((x) => [x.id, x.reply, x.error?.status ?? null])).toEqual([
      ['a', 'echo: prompt a', null],
      ['b', null, 400],
      ['c', 'echo: prompt c', null],
    ]);
    expect(written[1].error.message).toBe('the API rejected the request (400): fake failure for b');
    // One account: which batch ended how, then done / failed / did not run, then how to send the rest.
    const id = server.batches().at(-1)!.id;
    expect(r.stderr.replace(/\d+\.\ds$/m, 'T')).toBe(
      [
        `gpt: created batch ${id} (5 requests)`,
        `gpt: batch ${id} expired: 2 of its 5 requests did not run`,
        'gpt: 5 items: 2 done, 1 failed, 2 did not run, 26 tokens, T',
        'gpt: 1 of 5 items failed and 2 did not run — gpt batch p.jsonl -o out.jsonl --resume --remote sends the rest;' +
          ' to retry the failed ones too, remove their lines with "error" first',
        '',
      ].join('\n'),
    );

    const resumed = await runGpt(sandbox, ['batch', 'p.jsonl', '--remote', '-o', 'out.jsonl', '--resume', ...FAST]);
    expect(resumed.exitCode).toBe(8); // b's 400 is still in the file
    expect(resumed.stderr).toMatch(/^gpt: 1 item failed in an earlier run — /m);
    const upload = server
      .files()
      .filter((f) => f.purpose === 'batch')
      .at(-1)!;
    expect(jsonLines(upload.text()).map((x) => x.custom_id)).toEqual(['d', 'e']);
    expect(jsonLines(await readFile(out, 'utf8')).map((x) => x.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('tells an expired batch in its own counts, even when the API counts the requests that never ran as failed', async () => {
    server.enqueueBatch({ outcome: 'expired', completedCount: 1, notRunCountsAsFailed: true, inProgressPolls: 1 });
    await writeInput(['a', 'b', 'c']);
    const r = await runGpt(sandbox, ['batch', 'p.jsonl', '--remote', '-o', 'out.jsonl', ...FAST]);
    expect(r.exitCode).toBe(8);
    const id = server.batches().at(-1)!.id;
    expect(r.stderr.replace(/\d+\.\ds$/m, 'T')).toBe(
      [
        `gpt: created batch ${id} (3 requests)`,
        `gpt: batch ${id}: in_progress, 1 of 3 done, 0 failed`,
        `gpt: batch ${id} expired: 2 of its 3 requests did not run`,
        'gpt: 3 items: 1 done, 0 failed, 2 did not run, 13 tokens, T',
        'gpt: 2 of 3 items did not run — gpt batch p.jsonl -o out.jsonl --resume --remote sends the rest',
        '',
      ].join('\n'),
    );
  });

  it('--no-wait prints the batch id; status, results and cancel pick it up later', async () => {
    server.enqueueBatch({ inProgressPolls: 1 });
    await writeInput(['a', 'b']);
    const submitted = await runGpt(sandbox, ['batch', 'p.jsonl', '--remote', '--no-wait']);
    expect(submitted.exitCode).toBe(0);
    const id = submitted.stdout.trim();
    expect(id).toMatch(/^batch_fake_\d+$/);
    expect(submitted.stderr).toMatch(`gpt batch results ${id} -o FILE`);

    const status = await runGpt(sandbox, ['batch', 'status', id]);
    expect(status.stdout).toBe(`${id}: in_progress, 1 of 2 done, 0 failed\n`);
    const json = await runGpt(sandbox, ['batch', 'status', '--json', id]);
    expect(JSON.parse(json.stdout)).toMatchObject({ id, status: 'completed', total: 2, completed: 2, failed: 0, errors: [] });

    const results = await runGpt(sandbox, ['batch', 'results', id, '-o', 'out.jsonl']);
    expect(results.exitCode).toBe(0);
    expect(jsonLines(await readFile(join(sandbox.home, 'out.jsonl'), 'utf8')).map((x) => x.reply)).toEqual(['echo: prompt a', 'echo: prompt b']);

    server.enqueueBatch({ inProgressPolls: 5 });
    const other = (await runGpt(sandbox, ['batch', 'p.jsonl', '--remote', '--no-wait', '-q'])).stdout.trim();
    const cancelled = await runGpt(sandbox, ['batch', 'cancel', other]);
    expect(cancelled.stdout).toBe(`${other}: cancelling, 0 of 2 done, 0 failed\n`);
    const after = await runGpt(sandbox, ['batch', 'results', other, ...FAST]);
    expect(after.exitCode).toBe(8);
    expect(jsonLines(after.stdout).map((x) => x.id)).toEqual(['a']);
    expect(after.stderr.replace(/\d+\.\ds$/m, 'T')).toBe(
      [
        `gpt: batch ${other} cancelled: 1 of its 2 requests did not run`,
        'gpt: 2 items: 1 done, 0 failed, 1 did not run, 13 tokens, T',
        'gpt: 1 of 2 items did not run — run their input again with -o FILE --resume to send the rest',
        '',
      ].join('\n'),
    );
  });

  it('gpt batch results --resume opens -o FILE as gpt batch FILE --resume does: a cut last line is removed and said', async () => {
    server.enqueueBatch({});
    await writeInput(['a', 'b']);
    const id = (await runGpt(sandbox, ['batch', 'p.jsonl', '--remote', '--no-wait', '-q'])).stdout.trim();
    const out = join(sandbox.home, 'out.jsonl');
    expect((await runGpt(sandbox, ['batch', 'results', id, '-o', 'out.jsonl'])).exitCode).toBe(0);
    const [first, second] = (await readFile(out, 'utf8')).split('\n');
    await writeFile(out, `${first}\n${second!.slice(0, 10)}`); // killed while writing the second line

    const resumed = await runGpt(sandbox, ['batch', 'results', id, '-o', 'out.jsonl', '--resume']);
    expect(resumed.exitCode).toBe(0);
    expect(resumed.stderr).toMatch(/^gpt: the last line of out\.jsonl was cut short when a run stopped; it was removed/m);
    expect(jsonLines(await readFile(out, 'utf8')).map((x) => x.id)).toEqual(['a', 'b']);

    const noFile = await runGpt(sandbox, ['batch', 'results', id, '--resume']);
    expect(noFile.exitCode).toBe(2);
    expect(noFile.stderr).toBe('gpt: --resume needs -o FILE — it continues the results in that file\n');
  });

  it('when stopped while waiting, says how to pick the batch up later', async () => {
    server.enqueueBatch({ inProgressPolls: 10_000 });
    await writeInput(['a']);
    const child = execa('node', [GPT_BIN, 'batch', 'p.jsonl', '--remote', '-o', 'out.jsonl', '--poll-interval', '0.05'], {
      env: sandbox.env,
      extendEnv: false,
      cwd: sandbox.home,
      input: '',
      reject: false,
      timeout: 15_000,
    });
    const before = server.batches().length;
    for (let i = 0; i < 500 && !server.batches()[before]?.retrieves; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(r.stderr).toMatch(
      /gpt: the batch goes on running on the server; run the same command again to pick up its results, or: gpt batch results batch_fake_\d+ -o out\.jsonl\n/,
    );
  });

  it('reports a batch the API refused as a whole', async () => {
    server.enqueueBatch({ outcome: 'failed', errors: [{ code: 'model_not_found', message: 'The model m-nope does not exist', line: 1 }] });
    await writeInput(['a']);
    const r = await runGpt(sandbox, ['batch', 'p.jsonl', '--remote', '-m', 'm-nope', ...FAST]);
    expect(r.exitCode).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/gpt: batch batch_fake_\d+ failed: line 1: The model m-nope does not exist/);
    expect(r.stderr).toMatch(/gpt: the Batch API refused the batch: line 1: The model m-nope does not exist/);
  });
});
