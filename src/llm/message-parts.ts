import { attachmentName, isImageRef } from '../core/attachments.js';
import type { ChatMessage, Role } from '../core/types.js';

export type ContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: string } }
  | { type: 'file'; file: { filename: string; file_data: string } };

/** One message as the Chat Completions API takes it. */
export interface ApiMessage {
  role: Role;
  content: string | ContentPart[];
}

/**
 * A message with attachments becomes content parts: its text first, then each attachment
 * in order (an image as `image_url`, with `detail` when given; a PDF as `file`, with its file
 * name). Without attachments the content stays a string, as every server takes.
 */
export function apiMessage(message: ChatMessage): ApiMessage {
  if (!message.attachments?.length) return { role: message.role, content: message.content };
  const parts: ContentPart[] = [{ type: 'text', text: message.content }];
  for (const { ref, url } of message.attachments) {
    if (isImageRef(ref)) parts.push({ type: 'image_url', image_url: { url, ...(ref.detail ? { detail: ref.detail } : {}) } });
    else parts.push({ type: 'file', file: { filename: baseName(attachmentName(ref)), file_data: url } });
  }
  return { role: message.role, content: parts };
}

/** The file name the server is told: the last part of the path as written (`stdin.pdf` for `-a -`). */
const baseName = (path: string) => (path === '-' ? 'stdin.pdf' : path.slice(path.replace(/\\/g, '/').lastIndexOf('/') + 1));
