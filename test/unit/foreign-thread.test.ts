import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { StoredMessage, Thread } from '../../src/core/types.js';
import { appendToThreadText, canonicalOffset, parseThread, serializeThread } from '../../src/store/thread-file.js';
import { ThreadStore } from '../../src/store/threads.js';

const NOW = new Date('2026-11-29T18:00:00.000Z');
const added: StoredMessage[] = [
  { role: 'user', content: 'and the smallest?\nin two lines', time: '2026-11-29T17:59:00.000Z' },
  { role: 'assistant', content: 'A shrew: "tiny".', model: 'm-2', finish_reason: 'stop', time: NOW.toISOString() },
];

/** Foreign thread files: each with what must survive an append, besides its messages. */
const FOREIGN: { name: string; file: string; text: string; keeps: string[] }[] = [
  {
    name: 'comments and unknown keys',
    file: 'notes.yaml',
    text: [
      '# Conversation about whales',
      'title: Whale talk  # for the blog',
      'tags: [biology, sea]',
      'model: m-1',
      'updated: 2026-01-01T00:00:00.000Z',
      'messages:',
      '  # the question that started it',
      '  - role: user',
      '    content: |',
      '      What is the biggest animal?',
      '      Be brief.',
      '  - role: assistant',
      '    content: The blue whale.',
      '# end of file',
      '',
    ].join('\n'),
    keeps: [
      '# Conversation about whales',
      'title: Whale talk # for the blog',
      'tags: [biology, sea]',
      '  # the question that started it',
      '    content: |\n      What is the biggest animal?\n      Be brief.\n',
      '# end of file',
    ],
  },
  {
    name: '4-space indentation',
    file: 'four.yaml',
    text: 'title: four\nmessages:\n    -   role: user\n        content: hi\n    -   role: assistant\n        content: hello\n',
    keeps: ['title: four', '\n    - role: user\n      content: hi\n', '\n    - role: user\n      content: |-\n          and the smallest?\n'],
  },
  {
    name: 'list items not indented under their key',
    file: 'flat.yaml',
    text: 'messages:\n- role: user\n  content: hi\n',
    keeps: ['messages:\n- role: user\n  content: hi\n- role: user\n'],
  },
  {
    name: 'CRLF line endings',
    file: 'crlf.yaml',
    text: '# from Windows\r\ntitle: crlf\r\nmessages:\r\n  - role: user\r\n    content: hi\r\n',
    keeps: ['# from Windows\r\ntitle: crlf\r\n'],
  },
  {
    name: 'flow-style messages',
    file: 'flow.yaml',
    text: 'title: flow\nmessages: [{role: user, content: hi}, {role: assistant, content: hello}]\n',
    // The list becomes a block list (new turns one per line); its items keep their flow style.
    keeps: ['title: flow', '  - {role: user, content: hi}\n  - {role: assistant, content: hello}\n  - role: user\n'],
  },
  {
    name: 'a byte-order mark, no messages yet',
    file: 'bom.yaml',
    text: '\uFEFF# just a title for now\ntitle: empty\n',
    keeps: ['\uFEFF# just a title for now\ntitle: empty\n'],
  },
  {
    name: 'a document marker and an empty messages key',
    file: 'marker.yaml',
    text: '---\ntitle: started by hand\nmessages:\n',
    keeps: ['---\ntitle: started by hand\n'],
  },
  {
    name: 'JSON with 4-space indentation',
    file: 'conv.json',
    text: `${JSON.stringify({ title: 'json', tags: ['a'], messages: [{ role: 'user', content: 'hi' }] }, null, 4)}\n`,
    keeps: [
      '{\n    "title": "json",\n    "tags": [\n        "a"\n    ],\n    "updated": "2026-11-29T18:00:00.000Z",\n    "messages": [\n        {\n            "role": "user",\n            "content": "hi"\n        },',
    ],
  },
  {
    name: 'JSON on one line, CRLF ending, named .yaml',
    file: 'oneline.yaml',
    text: '{"title":"compact","messages":[{"role":"user","content":"hi"}]}\r\n',
    keeps: ['{"title":"compact","updated":"2026-11-29T18:00:00.000Z","messages":[{"role":"user","content":"hi"},', '}\r\n'],
  },
];

describe('appending to a thread file gpt did not write', () => {
  let dir: string;
  let store: ThreadStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gpt-foreign-'));
    store = new ThreadStore(join(dir, 'threads'), join(dir, 'cache'), () => undefined);
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it.each(FOREIGN)("$name: the user's content survives, and the file reads as the old messages + the new turn", async ({ file: name, text, keeps }) => {
    const file = join(dir, name);
    await writeFile(file, text);
    const before = parseThread(text, name);
    const beforeValue = YAML.parse(text.replace(/^\uFEFF/, '')) ?? {};
    await store.append(file, added, { create: {}, now: NOW });
    const after = await readFile(file, 'utf8');
    for (const kept of keeps) expect(after).toContain(kept);
    expect(parseThread(after, name).messages).toEqual([...before.messages, ...added]);
    // Every other key is kept with its value; only `updated` is new.
    expect(YAML.parse(after.replace(/^\uFEFF/, ''))).toEqual({ ...beforeValue, updated: NOW.toISOString(), messages: [...before.messages, ...added] });
    if (name.endsWith('.json') || text.startsWith('{')) expect(() => JSON.parse(after)).not.toThrow();
    if (text.includes('\r\n')) expect(after.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('creates a .json thread as JSON', async () => {
    const file = join(dir, 'new.json');
    await store.append(file, added, { create: { model: 'm' }, now: NOW });
    await store.append(file, added, { create: {}, now: NOW });
    expect(JSON.parse(await readFile(file, 'utf8')).messages).toEqual([...added, ...added]);
  });
});

describe('a file gpt wrote, too short to be cached', () => {
  const tricky = ['plain', 'two\nlines', '  leading spaces\nx', 'ends with newline\n', '', 'key: value', '- dash', '"quoted"', '# hash', 'yes', '世界'];
  const turnOf = (text: string, i: number): StoredMessage[] => [
    { role: 'user', content: text },
    { role: 'assistant', content: `${text} (${i})`, usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } },
  ];
  const start: Thread = { version: 1, model: 'm', system: 'be\nbrief', created: 'c', updated: 'u1', messages: [{ role: 'user', content: 'first' }] };

  it('is recognised, so its append takes the quick path', () => {
    const written = serializeThread(start);
    expect(canonicalOffset(written.text, start)).toBe(written.messagesOffset);
    expect(canonicalOffset(`# mine\n${written.text}`, start)).toBe(-1);
    expect(canonicalOffset(written.text.replace('content: first', 'content: "first"'), start)).toBe(-1);
  });

  it('edited in place comes out as the same bytes a whole write gives', () => {
    let thread = start;
    let text = serializeThread(thread).text;
    for (const [i, content] of tricky.entries()) {
      const header = { ...thread, updated: `u${i + 2}` };
      text = appendToThreadText({ text, messagesOffset: -1 }, header, turnOf(content, i)).text;
      thread = { ...header, messages: [...thread.messages, ...turnOf(content, i)] };
      expect(text).toBe(serializeThread(thread).text);
    }
  });
});
