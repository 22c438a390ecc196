// stdout that cannot be written (a full disk; /dev/full fails every write with ENOSPC): the
// reply is still saved to its thread, one line says so on stderr, and gpt exits 7. Only EPIPE,
// a reader that left, is a quiet success (ask.test.ts, "| head").
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { execa } from 'execa';
import { GPT_BIN, runGpt } from '../support/cli.js';
import { sandbox, server, useHarness } from '../support/harness.js';

useHarness();

const FULL = '/dev/full';
const STDOUT_FAILED = 'gpt: cannot write to stdout (ENOSPC) — make room where stdout goes, or send it elsewhere; a reply kept in a thread was saved there\n';
/** For a command that saves no reply: nothing to say about threads. */
const STDOUT_FAILED_PLAIN = 'gpt: cannot write to stdout (ENOSPC) — make room where stdout goes, or send it elsewhere\n';

/** Runs gpt with stdout on /dev/full (its own descriptor: execa would put a pipe between). */
async function runToFullDisk(args: string[]): Promise<{ exitCode: number | null; stderr: string }> {
  const fd = openSync(FULL, 'w');
  try {
    const child = spawn(process.execPath, [GPT_BIN, ...args], { stdio: ['pipe', fd, 'pipe'], env: sandbox.env, cwd: sandbox.home, timeout: 20_000 });
    child.stdin!.end();
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const [exitCode] = (await once(child, 'close')) as [number | null];
    return { exitCode, stderr };
  } finally {
    closeSync(fd);
  }
}

describe.skipIf(!existsSync(FULL))('stdout on a full disk (/dev/full exists on Linux)', () => {
  it('gpt ask --thread saves the turn, says so in one line and exits 7', async () => {
    const r = await runToFullDisk(['ask', '--thread', 't', 'What is the biggest animal?']);
    expect(r.stderr).toBe(STDOUT_FAILED);
    expect(r.exitCode).toBe(7);
    const thread = YAML.parse(await readFile(join(sandbox.threadsDir, 't.yaml'), 'utf8'));
    expect(thread.messages.map((m: { content: string }) => m.content)).toEqual(['What is the biggest animal?', 'echo: What is the biggest animal?']);
  });

  it('gpt ask --json says it the same way', async () => {
    const r = await runToFullDisk(['ask', '--json', 'hi']);
    expect(r.stderr).toBe(STDOUT_FAILED);
    expect(r.exitCode).toBe(7);
  });

  it('gpt batch to stdout stops at the first line it cannot write, says it in one line and exits 7', async () => {
    await writeFile(join(sandbox.home, 'p.txt'), Array.from({ length: 20 }, (_, i) => `prompt ${i}`).join('\n'));
    const r = await runToFullDisk(['batch', 'p.txt', '-q', '-j', '1']);
    expect(r.stderr).toBe(STDOUT_FAILED);
    expect(r.exitCode).toBe(7);
    expect(server.chatRequests().length).toBeLessThan(5); // not 20 replies paid for and lost
  });

  // The quick lines (cli/quick.ts) write stdout to its descriptor, without process.stdout.
  it('gpt thread list, path and show say it without the words about saved replies; --version and a Tab stay quiet', async () => {
    await runGpt(sandbox, ['ask', '--thread', 'kept', 'hi']);
    for (const args of [
      ['thread', 'list'],
      ['thread', 'list', '--json'],
      ['thread', 'path', 'kept'],
      ['thread', 'show', 'kept'],
    ]) {
      expect(await runToFullDisk(args)).toEqual({ exitCode: 7, stderr: STDOUT_FAILED_PLAIN });
    }
    for (const args of [['--version'], ['__complete', 'threads']]) {
      expect(await runToFullDisk(args)).toEqual({ exitCode: 0, stderr: '' });
    }
  });

  it('a reader that leaves early is a quiet success for the quick lines too (EPIPE)', async () => {
    await mkdir(sandbox.threadsDir, { recursive: true });
    for (let i = 0; i < 30; i++) await writeFile(join(sandbox.threadsDir, `t${i}.yaml`), 'version: 1\nmodel: m\nmessages: []\n');
    for (const line of ['thread list', 'thread path t1', '__complete threads', '--version']) {
      const r = await execa('bash', ['-c', `node "${GPT_BIN}" ${line} | head -c 0; echo "status=\${PIPESTATUS[0]}" >&2`], {
        env: sandbox.env,
        cwd: sandbox.home,
        reject: false,
      });
      expect(r.stderr).toBe('status=0');
    }
  });

  // A non-blocking pipe shared with another process: a write that would block fails with
  // EAGAIN, and a pipe of one page takes a few lines at a time. Python makes the pipe.
  it.skipIf(!hasPython)(
    `the quick lines write all of their output to a full non-blocking pipe (EAGAIN)${hasPython ? '' : ' — skipped: python3, which makes the pipe, is not installed'}`,
    async () => {
      await mkdir(sandbox.threadsDir, { recursive: true });
      const names = Array.from({ length: 200 }, (_, i) => `a-thread-with-a-name-long-enough-to-fill-a-pipe-${i}`);
      for (const name of names) await writeFile(join(sandbox.threadsDir, `${name}.yaml`), 'version: 1\nmodel: m\nmessages: []\n');
      const r = await execa('python3', ['-c', SLOW_READER, process.execPath, GPT_BIN, '__complete', 'threads'], { env: sandbox.env, cwd: sandbox.home });
      expect(r.stdout).toBe([...names].sort().join('\n')); // execa drops the last newline
      expect(r.stderr).toBe('exit 0');
    },
  );
});

const hasPython = spawnSync('python3', ['-c', 'import fcntl']).status === 0;
// CI installs python3 (.ci/run): there, this test must run, not skip.
if (!hasPython && process.env.GPT_TEST_REQUIRE_SHELLS) throw new Error('GPT_TEST_REQUIRE_SHELLS is set, but python3 is not installed');
/** Runs argv with stdout on a non-blocking pipe of 4 KiB, read only after the command had time to fill it. */
const SLOW_READER = `
import fcntl, os, subprocess, sys, time
r, w = os.pipe()
fcntl.fcntl(w, 1031, 4096)  # F_SETPIPE_SZ
os.set_blocking(w, False)
child = subprocess.Popen(sys.argv[1:], stdout=w)
os.close(w)
time.sleep(0.5)
out = b''
while chunk := os.read(r, 65536): out += chunk
sys.stdout.write(out.decode())
sys.stderr.write(f'exit {child.wait()}')
`;
