/** The objects of JSON Lines text (a batch's results): one a line, blank lines skipped. */
export const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
