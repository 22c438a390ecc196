import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { makeSandbox, type Sandbox } from './cli.js';
import { startFakeServer, type FakeServer } from './fake-server.js';

/**
 * The fake server of this test file and the sandbox of the running test. They are live
 * bindings: read them inside tests, after useHarness() has set them.
 */
export let server: FakeServer;
export let sandbox: Sandbox;

/** One fake server per test file, reset before each test; a fresh HOME and XDG folders per test. */
export function useHarness(options?: { models?: string[] }): void {
  beforeAll(async () => {
    server = await startFakeServer(options);
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(async () => {
    server.reset();
    sandbox = await makeSandbox(server.url);
  });
  afterEach(async () => {
    await sandbox.cleanup();
  });
}
