import YAML, { isMap, isSeq, type Document } from 'yaml';
import type { StoredMessage } from '../core/types.js';

/**
 * Appends to a thread file in the user's own layout (edited by hand, or not written by gpt):
 * everything else in it is kept. YAML goes through the `yaml` Document, which keeps
 * comments, unknown keys and their order, block scalars, anchors and flow collections; a
 * JSON file stays JSON with its indentation. Line endings (CRLF) and a byte-order mark stay.
 */
export function appendInPlace(text: string, header: HeaderFields, added: StoredMessage[], stringify: YAML.ToStringOptions): string {
  const bom = text.startsWith('\uFEFF') ? '\uFEFF' : '';
  const body = text.slice(bom.length);
  const edited = isJsonText(body) ? appendJson(body, header, added) : appendYaml(body, header, added, stringify);
  return bom + (body.includes('\r\n') ? edited.replace(/\r?\n/g, '\r\n') : edited);
}

/** The header keys an append sets: `updated`, and `attachment_store` when the thread gets one. */
export type HeaderFields = { updated: string } & Record<string, string>;

/** A thread file written as JSON (whatever its name): an object, so its first character is `{`. */
export const isJsonText = (text: string) => /^\uFEFF?\s*\{/.test(text);

function appendYaml(text: string, header: HeaderFields, added: StoredMessage[], stringify: YAML.ToStringOptions): string {
  const doc: Document = YAML.parseDocument(text);
  if (!isMap(doc.contents)) doc.contents = doc.createNode({}); // an empty file
  const map = doc.contents as YAML.YAMLMap;
  const messages = map.get('messages', true);
  if (isSeq(messages)) {
    // New turns are block items; a one-line flow list of long replies would be unreadable.
    messages.flow = false;
    for (const m of added) messages.add(doc.createNode(m));
  } else {
    map.set('messages', doc.createNode(added));
  }
  for (const [key, value] of Object.entries(header)) setBeforeMessages(doc, map, key, value);
  return doc.toString({ ...stringify, flowCollectionPadding: false, ...layoutOf(text) });
}

/** Sets `key`; a new key goes before `messages`, where gpt puts it, rather than after the list. */
function setBeforeMessages(doc: Document, map: YAML.YAMLMap, key: string, value: string): void {
  if (map.has(key)) {
    map.set(key, value);
    return;
  }
  const at = map.items.findIndex((pair) => (pair.key as YAML.Scalar | undefined)?.value === 'messages');
  map.items.splice(at < 0 ? map.items.length : at, 0, doc.createPair(key, value));
}

/** The file's indentation: its first indented line, and whether list items under a key are indented. */
function layoutOf(text: string): YAML.ToStringOptions {
  const indent = /\n( +)\S/.exec(text)?.[1]?.length;
  const seqUnderKey = /:[ \t]*(?:#.*)?\r?\n( *)- /.exec(text);
  return {
    ...(indent && indent <= 8 ? { indent: seqUnderKey?.[1] ? Math.min(indent, seqUnderKey[1].length) : indent } : {}),
    ...(seqUnderKey ? { indentSeq: seqUnderKey[1] !== '' } : {}),
  };
}

function appendJson(text: string, header: HeaderFields, added: StoredMessage[]): string {
  const value = JSON.parse(text) as Record<string, unknown>;
  const fields: Record<string, unknown> = {
    ...value,
    ...header,
    messages: [...(Array.isArray(value.messages) ? value.messages : []), ...added],
  };
  // The file's key order; a new header key goes just before `messages`, as in YAML.
  const keys = Object.keys(value);
  for (const key of Object.keys(header)) {
    if (!keys.includes(key)) keys.splice(keys.includes('messages') ? keys.indexOf('messages') : keys.length, 0, key);
  }
  if (!keys.includes('messages')) keys.push('messages');
  const indent = /^\{[ \t]*\r?\n([ \t]+)/.exec(text)?.[1] ?? '';
  const json = JSON.stringify(Object.fromEntries(keys.map((k) => [k, fields[k]])), null, indent);
  return /\n\s*$/.test(text) ? `${json}\n` : json;
}
