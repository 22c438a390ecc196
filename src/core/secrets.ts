/** Replaces every occurrence of the secret with a marker that shows only its last four characters. */
export function redact(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 8) return text;
  return text.split(secret).join(`[redacted …${secret.slice(-4)}]`);
}
