import { existsSync, watch } from 'node:fs';
import { mkdir, readFile, utimes, writeFile, chmod, symlink, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { GPT_BIN, runGpt } from '../support/cli.js';
import { sandbox, server, useHarness } from '../support/harness.js';

useHarness();

const threadFile = (name: string) => join(sandbox.threadsDir, `${name}.yaml`);

/** Starts `gpt ask --thread NAME` on a slow stream and sends `signal` once the first piece is out. */
async function interruptMidStream(name: string, signal: 'SIGINT' | 'SIGTERM') {
  server.enqueue({ kind: 'reply', chunks: ['one ', 'two ', 'three ', 'four'], chunkDelayMs: 500 });
  const child = execa('node', [GPT_BIN, 'ask', '--thread', name, 'count'], {
    env: sandbox.env,
    extendEnv: false,
    input: '',
    reject: false,
    stripFinalNewline: false,
  });
  await new Promise((resolve) => child.stdout!.once('data', resolve));
  child.kill(signal);
  return child;
}

describe('signals during a streamed reply', () => {
  it('SIGINT exits 130 and leaves the thread as it was', async () => {
    await runGpt(sandbox, ['ask', '--thread', 'sig', 'first']);
    const before = await readFile(threadFile('sig'), 'utf8');
    const r = await interruptMidStream('sig', 'SIGINT');
    expect(r.exitCode).toBe(130);
    expect(r.stderr).toBe('gpt: interrupted\n');
    expect(await readFile(threadFile('sig'), 'utf8')).toBe(before);
  });

  it('SIGTERM exits 143 and does not create a thread for the cut reply', async () => {
    const r = await interruptMidStream('term', 'SIGTERM');
    expect(r.exitCode).toBe(143);
    expect(r.stderr).toBe('gpt: terminated\n');
    await expect(readFile(threadFile('term'), 'utf8')).rejects.toThrow(/ENOENT/);
  });
});

describe('thread files under faults', () => {
  it('never leaves a torn file when killed with SIGKILL inside a save', async () => {
    // A long thread, so a save takes long enough to be caught in the middle.
    const messages = Array.from({ length: 4000 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `message ${i} `.repeat(40) }));
    await mkdir(sandbox.threadsDir, { recursive: true });
    await writeFile(threadFile('big'), YAML.stringify({ version: 1, messages }));
    const tempFile = /^\.big\.yaml\.\d+-[0-9a-z]+\.tmp$/;
    let saved = await readFile(threadFile('big'), 'utf8');
    let killedInside = false;
    for (let attempt = 0; attempt < 8 && !killedInside; attempt++) {
      // gpt writes the new version to a temp file, then renames it over the thread. It is
      // stopped as soon as the temp file appears; if the temp file is still there, it is
      // stopped inside the save, and a SIGKILL now lands there for sure.
      let child: ReturnType<typeof execa> | undefined;
      const seen = new Promise<string>((resolve) => {
        const watcher = watch(sandbox.threadsDir, (_event, name) => {
          if (!name || !tempFile.test(name) || !child?.pid) return;
          process.kill(child.pid, 'SIGSTOP');
          watcher.close();
          resolve(name);
        });
        setTimeout(() => {
          watcher.close();
          resolve('');
        }, 20_000);
      });
      child = execa('node', [GPT_BIN, 'ask', '--thread', 'big', `turn ${attempt}`], { env: sandbox.env, extendEnv: false, input: '', reject: false });
      const temp = await Promise.race([seen, child.then(() => '')]);
      if (temp !== '' && existsSync(join(sandbox.threadsDir, temp))) {
        child.kill('SIGKILL');
        expect((await child).signal).toBe('SIGKILL');
        expect(await readFile(threadFile('big'), 'utf8')).toBe(saved); // the old version, whole
        killedInside = true;
      } else {
        // The save had finished (or the kill came too late): it must be whole, with the new turn.
        if (temp !== '') process.kill(child.pid!, 'SIGCONT');
        expect((await child).exitCode).toBe(0);
        saved = await readFile(threadFile('big'), 'utf8');
        expect(YAML.parse(saved).messages).toHaveLength(4000 + 2 * (attempt + 1));
      }
    }
    expect(killedInside).toBe(true);
    // A SIGKILL may leave its unfinished temp file (.big.yaml.<pid>-<random>.tmp) or lock behind, never anything else.
    const leftovers = (await readdir(sandbox.threadsDir)).filter((f) => f !== 'big.yaml');
    for (const f of leftovers) expect(f).toMatch(/^(big\.yaml\.lock|\.big\.yaml\.\d+-[0-9a-z]+\.tmp)$/);
  }, 120_000);

  it('takes over a stale lock left by a killed process, and says so', async () => {
    await runGpt(sandbox, ['ask', '--thread', 'stale', 'one']);
    const lock = `${threadFile('stale')}.lock`;
    await mkdir(lock);
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    const r = await runGpt(sandbox, ['ask', '--thread', 'stale', 'two']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe(`gpt: ${lock} was left by a process that did not finish; taking it over\n`);
    expect(YAML.parse(await readFile(threadFile('stale'), 'utf8')).messages).toHaveLength(4);
  });

  it('keeps all 16 turns of 16 parallel asks on one thread', async () => {
    const runs = await Promise.all(Array.from({ length: 16 }, (_, i) => runGpt(sandbox, ['ask', '--thread', 'crowd', `q${i}`], { timeout: 60_000 })));
    expect(runs.map((r) => r.exitCode)).toEqual(Array(16).fill(0));
    const thread = YAML.parse(await readFile(threadFile('crowd'), 'utf8'));
    expect(thread.messages).toHaveLength(32);
  }, 90_000);

  it('prints the reply and a clear error when the threads folder is read-only', async (ctx) => {
    await mkdir(sandbox.threadsDir, { recursive: true });
    const readOnly = await makeReadOnly(sandbox.threadsDir);
    if (!readOnly) {
      // Root on a file system without chattr: no way to deny a write here. CI (which sets
      // GPT_TEST_REQUIRE_TMPFS for its root-only fault tests) must run it, not skip it.
      if (process.env.GPT_TEST_REQUIRE_TMPFS) throw new Error('GPT_TEST_REQUIRE_TMPFS is set, but chattr +i failed on the threads folder');
      ctx.skip();
    }
    try {
      for (const json of [false, true]) {
        const r = await runGpt(sandbox, ['ask', '--thread', 'ro', ...(json ? ['--json'] : []), 'keep this']);
        expect(r.exitCode).toBe(7);
        expect(r.stderr).toMatch(/^gpt: cannot (lock|write) .*ro\.yaml: permission denied \((EACCES|EPERM)\) — check the folder/);
        if (json) expect(JSON.parse(r.stdout)).toMatchObject({ reply: 'echo: keep this', error: { exit_code: 7 } });
        else expect(r.stdout).toBe('echo: keep this\n');
      }
    } finally {
      await readOnly?.undo();
    }
  });

  it('warns before writing through a thread path that is a symbolic link', async () => {
    const real = join(sandbox.home, 'elsewhere.yaml');
    await writeFile(real, 'messages: []\n');
    const link = join(sandbox.home, 'link.yaml');
    await symlink(real, link);
    const r = await runGpt(sandbox, ['ask', '--thread', link, 'hi']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe(`gpt: ${link} is a symbolic link; writing to ${real}\n`);
    expect(YAML.parse(await readFile(real, 'utf8')).messages).toHaveLength(2);
  });
});

/** chmod is enough for a normal user; root needs the immutable attribute. */
async function makeReadOnly(dir: string): Promise<{ undo(): Promise<void> } | undefined> {
  await chmod(dir, 0o500);
  if (process.getuid?.() !== 0) return { undo: () => chmod(dir, 0o700) };
  const set = await execa('chattr', ['+i', dir], { reject: false });
  if (set.exitCode !== 0) {
    await chmod(dir, 0o700);
    return undefined;
  }
  return {
    undo: async () => {
      await execa('chattr', ['-i', dir]);
      await chmod(dir, 0o700);
    },
  };
}

describe('errors before the request', () => {
  it('a missing key on a terminal prints its error and exits, with no spinner left running', async () => {
    const gpt = ['node', GPT_BIN, 'ask', 'hi'].map((a) => `'${a}'`).join(' ');
    const env = { ...sandbox.env, TERM: 'xterm' } as Record<string, string>;
    delete env.OPENAI_API_KEY;
    delete env.OPENAI_BASE_URL;
    // A terminal on stderr: where the spinner would run.
    const r = await execa('script', ['-qefc', `stty cols 80 rows 24; exec ${gpt}`, '/dev/null'], {
      env,
      extendEnv: false,
      cwd: sandbox.home,
      reject: false,
      timeout: 15_000,
      input: '',
    });
    expect(r.timedOut).toBe(false);
    expect(r.exitCode).toBe(3);
    expect(String(r.stdout)).toContain('gpt: OPENAI_API_KEY is not set');
  });

  it('a missing key leaves an existing batch results file as it was', async () => {
    const input = join(sandbox.home, 'p.jsonl');
    const output = join(sandbox.home, 'out.jsonl');
    await writeFile(input, '{"prompt": "x"}\n');
    await writeFile(output, '{"id":"1","reply":"kept"}\n');
    const r = await runGpt(sandbox, ['batch', input, '-o', output], { env: { OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined } });
    expect(r.exitCode).toBe(3);
    expect(await readFile(output, 'utf8')).toBe('{"id":"1","reply":"kept"}\n');
  });

  it('a usage error under --json is one JSON object on stdout too', async () => {
    const r = await runGpt(sandbox, ['ask', '--json', '-t', '5', 'hi']);
    expect(r.exitCode).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      error: { message: expect.stringContaining('temperature must be a number from 0 to 2'), hint: 'see gpt ask --help', exit_code: 2, status: null },
    });
  });
});
