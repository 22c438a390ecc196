import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { yamlItems } from '../../src/batch/input.js';
import { loadConfigFile } from '../../src/store/config-file.js';
import { parseThread } from '../../src/store/thread-file.js';

// Threads, batch inputs and the config are parsed by one function (store/yaml.ts): a
// syntax error and an alias bomb are told the same way, with the file and the line.

const bomb = (() => {
  const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 10; i++) {
    lines.push(
      `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
        .fill(`*${String.fromCharCode(96 + i)}`)
        .join(',')}]`,
    );
  }
  return lines.join('\n');
})();

const dir = mkdtempSync(join(tmpdir(), 'gpt-yaml-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function configError(text: string): Promise<string> {
  const file = join(dir, `config-${Math.random()}.yaml`);
  writeFileSync(file, text, { mode: 0o600 });
  return loadConfigFile(file, () => {}).then(
    () => 'no error',
    (error: Error) => error.message.replace(file, 'config.yaml'),
  );
}

const message = (work: () => unknown) => {
  try {
    work();
    return 'no error';
  } catch (error) {
    return (error as Error).message;
  }
};

describe('YAML errors, in every file gpt reads', () => {
  it('say the file, the line and why for a syntax error', async () => {
    const broken = 'a: 1\nb: [unclosed\n';
    expect(message(() => parseThread(broken, 't.yaml'))).toMatch(/^t\.yaml:\d+: not valid YAML \(.+\)$/);
    expect(message(() => yamlItems(`- x\n${broken.replace('a: 1\n', '')}`, { name: 'p.yaml' }))).toMatch(/^p\.yaml:\d+: not valid YAML \(.+\)$/);
    expect(await configError(broken)).toMatch(/^config\.yaml:\d+: not valid YAML \(.+\)$/);
  });

  it('refuse an alias bomb at the line of its first alias', async () => {
    expect(message(() => parseThread(`${bomb}\nmessages: []\n`, 'bomb.yaml'))).toMatch(/^bomb\.yaml:2: .*alias/i);
    expect(message(() => yamlItems(`- ${bomb.split('\n').join('\n  ')}\n`, { name: 'p.yaml' }))).toMatch(/^p\.yaml:2: .*alias/i);
    expect(await configError(bomb)).toMatch(/^config\.yaml:2: .*alias/i);
  });
});
