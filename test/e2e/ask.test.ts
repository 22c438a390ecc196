import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { startFakeServer, type FakeServer } from '../support/fake-server.js';
import { makeSandbox, runGpt, threadFiles, type Sandbox } from '../support/cli.js';

let server: FakeServer;
let sandbox: Sandbox;
beforeAll(async () => { server = await startFakeServer(); });
afterAll(async () => { await server.close(); });
beforeEach(async () => {
  server.requests.length = 0;
  sandbox = await makeSandbox(server.url);
});
afterEach(async () => { await sandbox.cleanup(); });

describe('gpt ask', () => {
  it('answers a piped question on stdout, streamed, ending with one newline', async () => {
    const r = await runGpt(sandbox, ['ask'], { input: 'What is the biggest animal in the world?\n' });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    // The piped newline is part of the prompt, so the echo already ends with one; no second is added.
    expect(r.stdout).toBe('echo: What is the biggest animal in the world?\n');
    const [req] = server.chatRequests();
    expect(req!.body.stream).toBe(true);
    expect(req!.body.model).toBe('gpt-4o-mini');
    expect(req!.body.messages).toEqual([{ role: 'user', content: 'What is the biggest animal in the world?\n' }]);
  });
});
