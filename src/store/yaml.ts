import YAML, { LineCounter, type Document } from 'yaml';

/** Alias expansion beyond this is a "billion laughs" document, not a thread, a config or a list of prompts. */
export const MAX_ALIAS_COUNT = 50;

export interface ParsedYaml {
  doc: Document.Parsed;
  /** The line (from 1) of an offset in the text; line 1 when there is none. */
  lineOf(offset: number | undefined): number;
  /** The document as plain values; too many aliases are refused, naming the line of the first. */
  toJS(): unknown;
}

/**
 * Parses YAML text (duplicate keys refused); what is wrong is thrown as made by `fail`,
 * from a message that starts with the file and line: `NAME:LINE: not valid YAML (why)`.
 */
export function parseYaml(text: string, name: string, fail: (message: string) => Error): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const lineOf = (offset: number | undefined) => (offset === undefined ? 1 : lineCounter.linePos(offset).line);
  const firstError = doc.errors[0];
  if (firstError) {
    throw fail(`${name}:${firstError.linePos?.[0]?.line ?? 1}: not valid YAML (${firstError.message.split('\n')[0]})`);
  }
  return {
    doc,
    lineOf,
    toJS() {
      try {
        return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      } catch (error) {
        // Only aliases fail here: point at the first one.
        throw fail(`${name}:${lineOf(firstAliasOffset(doc))}: ${(error as Error).message}`);
      }
    },
  };
}

function firstAliasOffset(doc: Document): number | undefined {
  let offset: number | undefined;
  YAML.visit(doc, {
    Alias(_key, node) {
      offset = node.range?.[0];
      return YAML.visit.BREAK;
    },
  });
  return offset;
}
