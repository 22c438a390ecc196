import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

/**
 * Why a tmpfs cannot be mounted here, or undefined when it can. Mounting needs root (CI
 * runs as root); elsewhere the tests that need a small or read-only disk skip, saying why.
 * CI sets GPT_TEST_REQUIRE_TMPFS=1 (.ci/run), and then a failed mount is an error, not a skip.
 */
export async function tmpfsUnavailable(): Promise<string | undefined> {
  const reason = process.getuid?.() !== 0 ? 'mounting a tmpfs needs root' : await tryMount();
  if (reason && process.env.GPT_TEST_REQUIRE_TMPFS) throw new Error(`GPT_TEST_REQUIRE_TMPFS is set, but ${reason}`);
  return reason;
}

async function tryMount(): Promise<string | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'gpt-tmpfs-probe-'));
  try {
    const r = await mountTmpfs(dir, 'size=16k').then(
      () => undefined,
      (error: Error) => error.message,
    );
    if (r === undefined) await unmount(dir);
    return r && `mount -t tmpfs failed: ${r.split('\n')[0]}`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `mount -t tmpfs -o OPTIONS tmpfs DIR`: `size=200k` for a small disk, `ro` for a read-only one. */
export async function mountTmpfs(dir: string, options: string): Promise<void> {
  await execa('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
}

export async function unmount(dir: string): Promise<void> {
  await execa('umount', [dir], { reject: false });
}
