// A permission test that means something as root (CI runs as root, and root reads any file).
import { chmod } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { tmpdir } from 'node:os';

const NOBODY = 65534;

/**
 * Runs `read` as a user who may not read `file` (mode 000): as root, with the effective user
 * switched to nobody (vitest runs each test file in its own fork, so this touches no other
 * file's tests) and the test's own folders above `file` opened for it to pass through.
 */
export async function asUnprivileged<T>(file: string, read: () => Promise<T>): Promise<T> {
  if (process.getuid?.() !== 0) return read();
  for (let dir = dirname(file); !relative(tmpdir(), dir).startsWith('..') && dir !== tmpdir(); dir = dirname(dir)) {
    await chmod(dir, 0o755);
  }
  process.seteuid!(NOBODY);
  try {
    return await read();
  } finally {
    process.seteuid!(0);
  }
}
