import { describe, expect, it } from 'vitest';
import { ContextExceededError, ExitCode, GptError } from '../../src/core/errors.js';

describe('GptError across bundles', () => {
  it('is recognised by instanceof whichever copy of the class made it; subclasses test as usual', async () => {
    // A second evaluation of the module, as each of bin/gpt.cjs's two bundles has its own.
    const secondCopy = '../../src/core/errors.js?second-bundle';
    const other = (await import(/* @vite-ignore */ secondCopy)) as typeof import('../../src/core/errors.js');
    expect(other.GptError).not.toBe(GptError);
    const fromOther = new other.GptError(ExitCode.terminated, 'terminated');
    expect(fromOther instanceof GptError).toBe(true);
    expect(new GptError(ExitCode.usage, 'x') instanceof other.GptError).toBe(true);
    expect(new Error('x') instanceof GptError).toBe(false);
    expect({ exitCode: 2, message: 'x' } instanceof GptError).toBe(false);
    expect(new GptError(ExitCode.usage, 'x') instanceof ContextExceededError).toBe(false);
    const exceeded = new ContextExceededError('too long', 'trim it', 8192, 9000);
    expect(exceeded instanceof ContextExceededError && exceeded instanceof GptError).toBe(true);
  });
});
