/** Why a value is not an item (or a template cannot fill it); the parsers add the file and line. */
export class ItemProblem extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}
