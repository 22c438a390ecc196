// vitest globalSetup: build dist/ once before any test file runs, so `npx vitest` never
// tests a stale bundle and `npm test` builds exactly once.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  execFileSync(process.execPath, ['build.mjs'], { cwd: root, stdio: 'inherit' });
}
