import { describe, expect, it } from 'vitest';
import { checkBaseURL } from '../../src/core/config.js';

describe('checkBaseURL', () => {
  it('takes http and https URLs', () => {
    expect(() => checkBaseURL('http://127.0.0.1:8080/v1', '--base-url')).not.toThrow();
    expect(() => checkBaseURL('https://api.openai.com/v1', 'OPENAI_BASE_URL')).not.toThrow();
  });

  it.each([
    ['127.0.0.1:8080/v1', '--base-url', 2, 'write it as http://127.0.0.1:8080/v1'],
    ['localhost:11434', 'OPENAI_BASE_URL', 2, 'write it as http://localhost:11434'],
    ['notaurl', '--base-url', 2, 'write it as http://notaurl'],
    ['ftp://host/v1', 'base_url', 3, 'write it as http://HOST:PORT/v1'],
    ['', '--base-url', 2, 'write it as http://HOST:PORT/v1'],
  ] as const)('refuses %j from %s (exit %i)', (value, source, exitCode, hint) => {
    expect(() => checkBaseURL(value, source)).toThrow(expect.objectContaining({ exitCode, hint }));
  });
});
