import { chmod, mkdir, mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type Options } from 'execa';

export const GPT_BIN = fileURLToPath(new URL('../../bin/gpt.cjs', import.meta.url));
export const TEST_KEY = 'sk-test-0123456789abcdefSECRET';

/** A private HOME with its own XDG folders, so no test sees another's threads or config. */
export interface Sandbox {
  home: string;
  configHome: string;
  dataHome: string;
  cacheHome: string;
  threadsDir: string;
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

export async function makeSandbox(baseURL?: string): Promise<Sandbox> {
  const home = await mkdtemp(join(tmpdir(), 'gpt-test-'));
  const configHome = join(home, 'config');
  const dataHome = join(home, 'data');
  const cacheHome = join(home, 'cache');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_CONFIG_HOME: configHome,
    XDG_DATA_HOME: dataHome,
    XDG_CACHE_HOME: cacheHome,
    OPENAI_API_KEY: TEST_KEY,
  };
  if (baseURL) env.OPENAI_BASE_URL = baseURL;
  return {
    home,
    configHome,
    dataHome,
    cacheHome,
    threadsDir: join(dataHome, 'gpt', 'threads'),
    env,
    async cleanup() {
      await chmod(home, 0o700).catch(() => undefined);
      // A gpt started by a shell's completion may still be writing its cache: retry, as rm -rf would not.
      await rm(home, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
}

export interface RunOptions {
  input?: string | Buffer;
  env?: Record<string, string | undefined>;
  cwd?: string;
  timeout?: number;
}

export interface GptRun {
  exitCode: number | undefined;
  signal: string | undefined;
  stdout: string;
  stderr: string;
}

/** Runs the built binary: never inherits our environment, always has a stdin. */
export async function runGpt(sandbox: Sandbox, args: string[], options: RunOptions = {}): Promise<GptRun> {
  const env = { ...sandbox.env, ...options.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const execaOptions: Options = {
    input: options.input ?? '',
    env: env as Record<string, string>,
    extendEnv: false,
    reject: false,
    cwd: options.cwd ?? sandbox.home,
    timeout: options.timeout ?? 20_000,
    stripFinalNewline: false,
  };
  const r = await execa('node', [GPT_BIN, ...args], execaOptions);
  return { exitCode: r.exitCode, signal: r.signal, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export async function readThread(file: string): Promise<string> {
  return readFile(file, 'utf8');
}

export async function threadFiles(sandbox: Sandbox): Promise<string[]> {
  return (await readdir(sandbox.threadsDir).catch(() => [] as string[])).filter((f) => f.endsWith('.yaml')).sort();
}

/** Writes a thread file `NAME.yaml` into `dir`, last changed at `minute` past noon, so the order is known. */
export async function writeThreadFile(dir: string, name: string, minute: number, body: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, `version: 1\n${body}`, { mode: 0o600 });
  const time = new Date(Date.UTC(2026, 10, 27, 12, minute));
  await utimes(file, time, time);
  return file;
}
