import { describe, expect, it } from 'vitest';
import { pairParams } from '../../src/cli/params.js';
import { fillTemplate, paramsOf } from '../../src/core/template.js';

describe('templates', () => {
  it('-p NAME VALUE becomes --param NAME=VALUE, except after --', () => {
    expect(pairParams(['ask', '-p', 'lang', 'French', '--param', 'x', 'a=b', 'text', '--', '-p', 'a', 'b'])).toEqual([
      'ask',
      '--param',
      'lang=French',
      '--param',
      'x=a=b',
      'text',
      '--',
      '-p',
      'a',
      'b',
    ]);
    expect(paramsOf(['x=a=b', 'empty='])).toEqual({ x: 'a=b', empty: '' });
    expect(() => paramsOf(['no-equals'])).toThrow('expected -p NAME VALUE');
  });

  it('fills {{input}}, -p values over defaults, and appends the input when the prompt has no {{input}}', () => {
    const template = { prompt: 'To {{ lang }}: {{input}}', defaults: { lang: 'English' } };
    expect(fillTemplate(template, 'hi', {}, 't')).toBe('To English: hi');
    expect(fillTemplate(template, 'hi', { lang: 'French' }, 't')).toBe('To French: hi');
    expect(fillTemplate({ prompt: 'Summarise.' }, 'text', {}, 't')).toBe('Summarise.\n\ntext');
    expect(fillTemplate({ prompt: 'Summarise.' }, undefined, {}, 't')).toBe('Summarise.');
    expect(() => fillTemplate({}, '', {}, 't')).toThrow('no prompt given');
  });
});
