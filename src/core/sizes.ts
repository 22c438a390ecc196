/** Sizes in bytes as users write them (`500k`, `4M`) and as gpt shows them. */

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 * 1024 };

/**
 * Bytes from `1048576`, `500k`, `4M` or `1.5M` (k = 1024, M = 1024²; either case; a
 * decimal with a unit is rounded down to whole bytes); undefined if not a size.
 */
export function parseBytes(text: string): number | undefined {
  const match = /^(\d+|\d*\.\d+(?=[kKmM]))([kKmM]?)$/.exec(text.trim());
  if (!match) return undefined;
  const bytes = Math.floor(Number(match[1]) * UNITS[match[2]!.toLowerCase()]!);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** `512 B`, `12.5 KiB`, `1.4 MiB`: one decimal, dropped when it is zero. */
export function describeBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const [value, unit] = bytes < 1024 * 1024 ? [bytes / 1024, 'KiB'] : [bytes / 1024 / 1024, 'MiB'];
  return `${Number(value.toFixed(1))} ${unit}`;
}

/**
 * A size and the limit it is over, for an error: `21 MiB` and `20 MiB`; when both round
 * alike (`20 MiB, over the 20 MiB limit`), in bytes.
 */
export function describeOverLimit(bytes: number, limit: number): [size: string, limit: string] {
  const [size, most] = [describeBytes(bytes), describeBytes(limit)];
  return size === most ? [`${bytes} bytes`, `${limit} bytes`] : [size, most];
}
