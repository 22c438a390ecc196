import { describe, expect, it } from 'vitest';
import {
  attachmentLine,
  attachmentRefProblem,
  attachmentRefusal,
  imagePixels,
  imageTokens,
  imageMimeOf,
  lookalike,
  sniffType,
  urlEnding,
} from '../../src/core/attachments.js';
import { tokensAtMost } from '../../src/core/context.js';
import { resolveModel } from '../../src/core/models.js';
import { messageTokens, promptTokens } from '../../src/core/tokens.js';
import type { ChatMessage, StoredMessage } from '../../src/core/types.js';
import { apiMessage } from '../../src/llm/message-parts.js';
import { gif, jpeg, pdf, png, webp } from '../support/attachment-files.js';

describe('telling an attachment by its content', () => {
  it.each([
    ['png', png(3, 2), 'image/png'],
    ['jpeg', jpeg(640, 480), 'image/jpeg'],
    ['gif', gif(10, 20), 'image/gif'],
    ['webp', webp(300, 200), 'image/webp'],
    ['pdf', pdf('hello'), 'application/pdf'],
  ])('knows a %s', (_, bytes, mime) => {
    expect(sniffType(bytes)?.mime).toBe(mime);
  });

  it('knows nothing else, and says what it looks like', () => {
    expect(sniffType(Buffer.from('hello, world\n'))).toBeUndefined();
    expect(lookalike(Buffer.from('hello, world\n'))).toBe('text');
    expect(lookalike(Buffer.from('caf\u00e9 ', 'utf8').subarray(0, 4))).toBe('text'); // a character cut at the end of the head
    expect(lookalike(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00]))).toBe('binary data');
    expect(lookalike(Buffer.alloc(0))).toBe('an empty file');
  });

  it('reads the size in pixels of each image type', () => {
    expect(imagePixels(png(1280, 720), 'image/png')).toEqual({ width: 1280, height: 720 });
    expect(imagePixels(jpeg(640, 480), 'image/jpeg')).toEqual({ width: 640, height: 480 });
    expect(imagePixels(gif(10, 20), 'image/gif')).toEqual({ width: 10, height: 20 });
    expect(imagePixels(webp(300, 200), 'image/webp')).toEqual({ width: 300, height: 200 });
    expect(imagePixels(png(1, 1).subarray(0, 18), 'image/png')).toBeUndefined(); // cut short
  });

  it("takes a URL's type from the ending of its path only", () => {
    expect(urlEnding('https://example.com/a/cat.JPG?size=2#x')).toBe('jpg');
    expect(imageMimeOf('jpg')).toBe('image/jpeg');
    expect(urlEnding('https://example.com/render')).toBeUndefined();
    expect(urlEnding('https://example.com')).toBeUndefined(); // the host's .com is no file's ending
    expect(urlEnding('https://example.com/v1.2/chart')).toBeUndefined();
    expect(urlEnding('https://example.com/a.pdf?x=1.png')).toBe('pdf');
    expect(imageMimeOf('pdf')).toBeUndefined();
    expect(urlEnding('http://')).toBeNull();
  });
});

describe('image tokens by the tile rule', () => {
  it("matches OpenAI's worked examples", () => {
    expect(imageTokens({ width: 1024, height: 1024 }, 'high')).toBe(765);
    expect(imageTokens({ width: 2048, height: 4096 }, 'high')).toBe(1105);
    expect(imageTokens({ width: 4096, height: 8192 }, 'low')).toBe(85);
    expect(imageTokens({ width: 100, height: 100 }, undefined)).toBe(255); // small: one tile
  });
});

describe('the request', () => {
  it('keeps a message without attachments a string, and makes parts of one with them', () => {
    expect(apiMessage({ role: 'user', content: 'hi' })).toEqual({ role: 'user', content: 'hi' });
    expect(
      apiMessage({
        role: 'user',
        content: 'look',
        attachments: [
          { ref: { path: 'shots/a.png', mime: 'image/png', detail: 'low' }, url: 'data:image/png;base64,AAA' },
          { ref: { path: 'docs/r.pdf', mime: 'application/pdf' }, url: 'data:application/pdf;base64,BBB' },
          { ref: { url: 'https://example.com/x' }, url: 'https://example.com/x' },
        ],
      }),
    ).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'look' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,AAA', detail: 'low' } },
        { type: 'file', file: { filename: 'r.pdf', file_data: 'data:application/pdf;base64,BBB' } },
        { type: 'image_url', image_url: { url: 'https://example.com/x' } },
      ],
    });
  });

  it('refuses a model the table knows takes no images or no files, and sends to one it knows nothing of', () => {
    const image = { path: 'a.png', mime: 'image/png' };
    const doc = { path: 'r.pdf', mime: 'application/pdf' };
    expect(attachmentRefusal('gpt-3.5-turbo', resolveModel('gpt-3.5-turbo').entry, [image], '-a')?.message).toBe('gpt-3.5-turbo takes no images (-a a.png)');
    expect(attachmentRefusal('o1-mini', resolveModel('o1-mini').entry, [doc], '-a')?.message).toBe('o1-mini takes no PDF files (-a r.pdf)');
    expect(attachmentRefusal('gpt-5.4-mini', resolveModel('gpt-5.4-mini').entry, [image, doc], '-a')).toBeUndefined();
    expect(attachmentRefusal('llava', resolveModel('llava').entry, [image, doc], '-a')).toBeUndefined();
    // The config's models: layer wins over the table (the order rule of core/models.ts).
    const taught = resolveModel('gpt-3.5-turbo', { config: { 'gpt-3.5-turbo': { images: true } } }).entry;
    expect(attachmentRefusal('gpt-3.5-turbo', taught, [image], '-a')).toBeUndefined();
  });
});

describe('references in a thread file', () => {
  const good = { path: 'a.png', sha256: 'a'.repeat(64), mime: 'image/png', bytes: 10 };

  it('accepts a file reference and a URL one', () => {
    expect(attachmentRefProblem(good, 1, 1)).toBeUndefined();
    expect(attachmentRefProblem({ url: 'https://example.com/a.png', detail: 'high' }, 1, 1)).toBeUndefined();
  });

  it.each([
    ['a string', 'a.png', undefined],
    ['a short hash', { ...good, sha256: 'abc' }, 'sha256'],
    ['an unknown type', { ...good, mime: 'text/plain' }, 'mime'],
    ['no size', { ...good, bytes: -1 }, 'bytes'],
    ['no path', { sha256: good.sha256, mime: 'image/png', bytes: 1 }, 'path'],
    ['a bad detail', { ...good, detail: 'max' }, 'detail'],
    ['a URL that is not http', { url: 'file:///etc/passwd' }, 'url'],
  ])('refuses %s, naming the key', (_, value, key) => {
    const problem = attachmentRefProblem(value, 2, 1);
    expect(problem?.key).toBe(key);
    expect(problem?.problem).toMatch(/^attachment 1 of message 2 /);
  });

  it('is shown as one line', () => {
    expect(attachmentLine(good)).toBe('[attached: a.png (image/png, 10 B)]');
    expect(attachmentLine({ url: 'https://example.com/x', detail: 'low' })).toBe('[attached: https://example.com/x (detail low)]');
  });
});

describe('counting a request with images', () => {
  const image = { ref: { path: 'a.png', mime: 'image/png' }, url: 'data:image/png;base64,AAA', pixels: { width: 1024, height: 1024 } };
  const perChar = (text: string) => text.length;

  it("adds each image's estimate to its message; a PDF or a URL adds nothing", () => {
    const plain: ChatMessage = { role: 'user', content: 'look' };
    const withImage: ChatMessage = {
      ...plain,
      attachments: [
        image,
        { ref: { url: 'https://x/y' }, url: 'https://x/y' },
        { ref: { path: 'r.pdf', mime: 'application/pdf' }, url: 'data:application/pdf;base64,B' },
      ],
    };
    expect(messageTokens(withImage, perChar) - messageTokens(plain, perChar)).toBe(765);
    expect(promptTokens([withImage], perChar) - promptTokens([plain], perChar)).toBe(765);
    const low: ChatMessage = { ...plain, attachments: [{ ...image, ref: { ...image.ref, detail: 'low' } }] };
    expect(messageTokens(low, perChar) - messageTokens(plain, perChar)).toBe(85);
  });

  it('bounds a thread with an image without a tokenizer, never too low', () => {
    const history: StoredMessage[] = [
      { role: 'user', content: 'q', attachments: [{ path: 'a.png', sha256: 'a'.repeat(64), mime: 'image/png', bytes: 9 }] },
      { role: 'assistant', content: 'r', model: 'gpt-5.4-mini', usage: { prompt_tokens: 800, completion_tokens: 5, total_tokens: 805 } },
    ];
    const request: ChatMessage[] = [
      { ...history[0]!, attachments: [image] },
      { role: 'assistant', content: 'r' },
      { role: 'user', content: 'again', attachments: [image] },
    ];
    const bound = tokensAtMost(request, history, 'o200k_base');
    // The server's 805 (which counted the first image), the reply's wrapping, the new message's
    // bytes and image; the first image's estimate stays in too: too much, never too little.
    expect(bound).toBe(3 + 805 + 3 + (3 + 'user'.length + 'again'.length + 765) + 765);
  });
});
