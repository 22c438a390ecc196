import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeEach, describe, expect, it } from 'vitest';
import { GPT_BIN, runGpt } from '../support/cli.js';
import { sandbox, server, useHarness } from '../support/harness.js';
import { jsonLines } from '../support/json-lines.js';

useHarness();

const FAST = ['--poll-interval', '0.01'];
// The fake server keeps its files and batches for the whole test file: count from a test's start.
let base = { uploads: 0, batches: 0 };
const uploads = () => server.files().filter((f) => f.purpose === 'batch').length - base.uploads;
const batches = () => server.batches().slice(base.batches);
beforeEach(() => {
  base = { uploads: 0, batches: 0 };
  base = { uploads: uploads(), batches: server.batches().length };
});
const journalFile = () => join(sandbox.home, '.local', 'state', 'gpt', 'batches.jsonl');

async function writeInput(ids: string[], name = 'p.jsonl'): Promise<void> {
  await writeFile(join(sandbox.home, name), ids.map((id) => JSON.stringify({ id, prompt: `prompt ${id}` })).join('\n'));
}

/** `gpt batch p.jsonl --remote -o OUT`, started and left running, for a test to act on while it goes. */
function startRemote(out: string) {
  return execa('node', [GPT_BIN, 'batch', 'p.jsonl', '--remote', '-o', out, ...FAST], {
    env: sandbox.env,
    extendEnv: false,
    cwd: sandbox.home,
    input: '',
    reject: false,
    timeout: 20_000,
  });
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

/** Starts `gpt batch ...` and kills it with `signal` once it has checked its batch at least once. */
async function killWhilePolling(args: string[], signal: NodeJS.Signals) {
  const before = server.batches().length;
  const child = execa('node', [GPT_BIN, ...args], { env: sandbox.env, extendEnv: false, cwd: sandbox.home, input: '', reject: false, timeout: 15_000 });
  for (let i = 0; i < 1000 && !server.batches()[before]?.retrieves; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  child.kill(signal);
  return child;
}

describe('gpt batch --remote: the journal of submitted batches', () => {
  it.each(['SIGKILL', 'SIGINT'] as const)('after %s while it waits, the same command picks the batch up: no second upload or batch', async (signal) => {
    server.enqueueBatch({ inProgressPolls: 5 });
    await writeInput(['a', 'b', 'c']);
    const args = ['batch', 'p.jsonl', '--remote', '-o', 'out.jsonl'];
    const killed = await killWhilePolling([...args, '--poll-interval', '60'], signal);
    expect(killed.exitCode ?? killed.signal).toBe(signal === 'SIGKILL' ? 'SIGKILL' : 130);
    expect([uploads(), batches().length]).toEqual([1, 1]);
    const id = batches()[0]!.id;

    const again = await runGpt(sandbox, [...args, ...FAST, ...(signal === 'SIGINT' ? ['--resume'] : [])]);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toMatch(
      new RegExp(`^gpt: picking up batch ${id} created \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ for this input \\(--new-batch submits it anew\\)\\n`),
    );
    expect([uploads(), batches().length]).toEqual([1, 1]);
    expect(jsonLines(await readFile(join(sandbox.home, 'out.jsonl'), 'utf8')).map((x) => x.reply)).toEqual(['a', 'b', 'c'].map((x) => `echo: prompt ${x}`));

    // Private, and whole lines only.
    expect((await stat(journalFile())).mode & 0o777).toBe(0o600);
    expect((await stat(join(sandbox.home, '.local', 'state', 'gpt'))).mode & 0o777).toBe(0o700);
    const journal = await readFile(journalFile(), 'utf8');
    expect(journal.endsWith('\n')).toBe(true);
    expect(journal).not.toContain('sk-test');

    const list = await runGpt(sandbox, ['batch', 'list'], { env: { OPENAI_API_KEY: undefined } });
    expect(list.exitCode).toBe(0);
    expect(list.stdout).toMatch(
      new RegExp(`^${id}  done {7}  \\d{4}-\\d\\d-\\d\\dT[\\d:]+Z  ${join(sandbox.home, 'p.jsonl')} -> ${join(sandbox.home, 'out.jsonl')}\\n$`),
    );
    const [row] = jsonLines((await runGpt(sandbox, ['batch', 'ls', '--json'])).stdout);
    expect(row).toMatchObject({
      id,
      status: 'completed',
      input: join(sandbox.home, 'p.jsonl'),
      output: join(sandbox.home, 'out.jsonl'),
      endpoint: server.url.replace(/\/$/, ''),
      requests: 3,
      results_written: true,
    });
    expect(row.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("batch list names the file gpt batch results last wrote a batch's results to", async () => {
    await writeInput(['a']);
    const id = (await runGpt(sandbox, ['batch', 'p.jsonl', '--remote', '--no-wait', '-q', '-o', 'first.jsonl'])).stdout.trim();
    expect((await runGpt(sandbox, ['batch', 'results', id, '-o', 'second.jsonl', ...FAST])).exitCode).toBe(0);
    const [row] = jsonLines((await runGpt(sandbox, ['batch', 'ls', '--json'])).stdout);
    expect(row).toMatchObject({ id, output: join(sandbox.home, 'second.jsonl'), results_written: true });
    expect(jsonLines(await readFile(join(sandbox.home, 'second.jsonl'), 'utf8')).map((x) => x.reply)).toEqual(['echo: prompt a']);
  });

  it('two runs of one input started together create one batch, and both write its results', async () => {
    await writeInput(['a', 'b']);
    const release = server.holdCreates();
    const first = startRemote('one.jsonl');
    // The first has uploaded and is creating its batch (held here) ...
    await until(() => server.requests.some((r) => r.method === 'POST' && r.path === '/v1/batches'));
    const second = startRemote('two.jsonl');
    let said = '';
    second.stderr?.on('data', (chunk: Buffer) => (said += chunk.toString()));
    // ... when the second picks its submission up: it must wait for that batch, not create its own.
    await until(() => said.includes('gpt: picking up'));
    release();
    const [one, two] = await Promise.all([first, second]);
    expect([one.exitCode, two.exitCode]).toEqual([0, 0]);
    expect([uploads(), batches().length]).toEqual([1, 1]);
    for (const out of ['one.jsonl', 'two.jsonl']) {
      expect(jsonLines(await readFile(join(sandbox.home, out), 'utf8')).map((x) => x.reply)).toEqual(['echo: prompt a', 'echo: prompt b']);
    }
  });

  it('Ctrl-C while a batch is being created says it waits to record it; a second Ctrl-C leaves at once, saying so, and the next run finds that batch', async () => {
    await writeInput(['a']);
    const release = server.holdCreates();
    try {
      const child = startRemote('out.jsonl');
      let said = '';
      child.stderr?.on('data', (chunk: Buffer) => (said += chunk.toString()));
      await until(() => server.requests.some((r) => r.method === 'POST' && r.path === '/v1/batches'));
      child.kill('SIGINT');
      await until(() => said.includes('gpt: finishing the upload or batch creation under way, so that it is recorded (a second Ctrl-C leaves now)'));
      child.kill('SIGINT');
      const r = await child;
      expect(r.exitCode).toBe(130);
      expect(said).toMatch(/^gpt: interrupted again: left at once, without finishing what was under way$/m);
    } finally {
      release();
    }
    // The server made the batch after gpt left, unrecorded: the next run finds it instead of paying twice.
    await until(() => batches().length === 1);
    const again = await runGpt(sandbox, ['batch', 'p.jsonl', '--remote', '-o', 'out.jsonl', ...FAST]);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toMatch(/^gpt: found batch batch_fake_\d+ \(1 request\), created from this upload by a run that stopped before recording it$/m);
    expect([uploads(), batches().length]).toEqual([1, 1]);
    expect(jsonLines(await readFile(join(sandbox.home, 'out.jsonl'), 'utf8')).map((x) => x.reply)).toEqual(['echo: prompt a']);
  });

  it('a batch whose results were written, a changed input or --new-batch is submitted anew', async () => {
    await writeInput(['a', 'b']);
    const args = ['batch', 'p.jsonl', '--remote', '-q', ...FAST];
    expect((await runGpt(sandbox, args)).exitCode).toBe(0);
    expect((await runGpt(sandbox, args)).exitCode).toBe(0); // done: a deliberate re-run
    expect(batches()).toHaveLength(2);

    server.enqueueBatch({ inProgressPolls: 1000 }, { inProgressPolls: 1000 });
    const first = await runGpt(sandbox, [...args, '--no-wait']);
    const picked = await runGpt(sandbox, [...args, '--no-wait']);
    expect(picked.stdout).toBe(first.stdout); // still open: the same batch
    expect(batches()).toHaveLength(3);

    await writeInput(['a', 'b', 'c']);
    const changed = await runGpt(sandbox, [...args, '--no-wait']);
    expect(changed.stdout).not.toBe(first.stdout);
    expect(batches()).toHaveLength(4);
    expect((await runGpt(sandbox, [...args, '--no-wait', '-m', 'other'])).stdout).not.toBe(changed.stdout);
    expect(batches()).toHaveLength(5);

    const forced = await runGpt(sandbox, [...args, '--no-wait', '--new-batch']);
    expect(forced.stdout).not.toBe(changed.stdout);
    expect(batches()).toHaveLength(6);
  });

  it('gpt batch cancel ends the entry: the next run submits anew', async () => {
    server.enqueueBatch({ inProgressPolls: 1000 });
    await writeInput(['a']);
    const id = (await runGpt(sandbox, ['batch', 'p.jsonl', '--remote', '--no-wait', '-q'])).stdout.trim();
    expect((await runGpt(sandbox, ['batch', 'cancel', id])).exitCode).toBe(0);
    const after = await runGpt(sandbox, ['batch', 'p.jsonl', '--remote', '-q', ...FAST]);
    expect(after.exitCode).toBe(0);
    expect(batches()).toHaveLength(2);
    const rows = jsonLines((await runGpt(sandbox, ['batch', 'list', '--json'])).stdout);
    expect(rows.map((r) => [r.status, r.results_written])).toEqual([
      ['cancelling', false],
      ['completed', true],
    ]);
  });

  it('gpt batch results marks the entry done, like a run that waited', async () => {
    server.enqueueBatch({ inProgressPolls: 1 });
    await writeInput(['a']);
    const args = ['batch', 'p.jsonl', '--remote', '-q', ...FAST];
    const id = (await runGpt(sandbox, [...args, '--no-wait'])).stdout.trim();
    expect((await runGpt(sandbox, ['batch', 'results', id, ...FAST])).exitCode).toBe(0);
    expect((await runGpt(sandbox, ['batch', 'list'])).stdout).toMatch(`${id}  done `);
    expect((await runGpt(sandbox, args)).exitCode).toBe(0);
    expect(batches()).toHaveLength(2);
  });

  it('a picked-up batch the API no longer has says to submit anew with --new-batch', async () => {
    server.enqueueBatch({ inProgressPolls: 1000 });
    await writeInput(['a']);
    const id = (await runGpt(sandbox, ['batch', 'p.jsonl', '--remote', '--no-wait', '-q'])).stdout.trim();
    await writeFile(journalFile(), (await readFile(journalFile(), 'utf8')).replaceAll(id, 'batch_gone'));
    const r = await runGpt(sandbox, ['batch', 'p.jsonl', '--remote', ...FAST]);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(
      /\ngpt: no such batch: batch_gone \(picked up from the journal of an earlier run\) — run again with --new-batch to submit anew\n$/,
    );
    expect((await runGpt(sandbox, ['batch', 'p.jsonl', '--remote', '--new-batch', ...FAST])).exitCode).toBe(0);
  });

  it('gpt batch list --refresh asks the API for batches that have not ended; with no journal, says so', async () => {
    const empty = await runGpt(sandbox, ['batch', 'list']);
    expect([empty.exitCode, empty.stdout]).toEqual([0, '']);
    expect(empty.stderr).toMatch(/^gpt: no batches submitted from here yet/);

    server.enqueueBatch({ inProgressPolls: 1 });
    await writeInput(['a']);
    const id = (await runGpt(sandbox, ['batch', 'p.jsonl', '--remote', '--no-wait', '-q'])).stdout.trim();
    expect((await runGpt(sandbox, ['batch', 'list'])).stdout).toMatch(`${id}  validating `);
    expect(batches()[0]!.retrieves).toBe(0); // offline
    expect((await runGpt(sandbox, ['batch', 'list', '--refresh'])).stdout).toMatch(`${id}  in_progress `);
  });

  it('a file named list is an input as ./list', async () => {
    await writeFile(join(sandbox.home, 'list'), '{"prompt": "hello"}\n');
    const r = await runGpt(sandbox, ['batch', './list']);
    expect(r.exitCode).toBe(0);
    expect(jsonLines(r.stdout)[0].reply).toBe('echo: hello');
  });

  it('a journal that cannot be written stops the run before anything is uploaded', async () => {
    await writeFile(join(sandbox.home, 'state'), 'not a folder');
    await writeInput(['a']);
    const r = await runGpt(sandbox, ['batch', 'p.jsonl', '--remote', ...FAST], { env: { XDG_STATE_HOME: join(sandbox.home, 'state') } });
    expect(r.exitCode).toBe(7);
    expect(r.stderr).toMatch(/^gpt: cannot (read|write) the batch journal .*state\/gpt\/batches\.jsonl \((ENOTDIR|EEXIST)\)/);
    expect(server.requests).toHaveLength(0);
  });
});

describe('gpt batch status|cancel of an unknown id', () => {
  it('says there is no such batch, not to check the model', async () => {
    for (const command of ['status', 'cancel']) {
      const r = await runGpt(sandbox, ['batch', command, 'batch_999']);
      expect(r.exitCode).toBe(4);
      expect(r.stderr).toBe('gpt: no such batch: batch_999 — check the id; gpt batch list shows the batches created here\n');
    }
  });
});
