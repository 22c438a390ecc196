import { attachmentLine } from '../core/attachments.js';
import type { Thread } from '../core/types.js';

export const EXPORT_FORMATS = ['md', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const HEADINGS = { system: 'System', user: 'You', assistant: 'Assistant' } as const;

/** A conversation to share: Markdown to read, or JSON for programs. The text is exact. */
export function exportThread(name: string, thread: Thread, format: ExportFormat): string {
  return format === 'json' ? exportJson(name, thread) : exportMarkdown(name, thread);
}

function exportMarkdown(name: string, thread: Thread): string {
  const facts = [
    thread.model && `- Model: ${thread.model}`,
    thread.created && `- Created: ${thread.created}`,
    thread.updated && `- Updated: ${thread.updated}`,
  ].filter(Boolean);
  const messages =
    thread.system && !thread.messages.some((m) => m.role === 'system')
      ? [{ role: 'system' as const, content: thread.system }, ...thread.messages]
      : thread.messages;
  const sections = messages.map((m) => {
    const attached = 'attachments' in m && m.attachments?.length ? `\n${m.attachments.map((ref) => `${attachmentLine(ref)}\n`).join('')}` : '';
    return `## ${HEADINGS[m.role]}\n\n${m.content.replace(/\s+$/, '')}\n${attached}`;
  });
  return [`# ${name}\n`, ...(facts.length ? [`${facts.join('\n')}\n`] : []), ...sections].join('\n');
}

function exportJson(name: string, thread: Thread): string {
  const { model, system, created, updated, messages } = thread;
  return `${JSON.stringify({ name, model, system, created, updated, messages }, null, 2)}\n`;
}
