/** A parser found input it cannot read. `source` names the file (or command) so the user can find it. */
export class ParseError extends Error {
  constructor(
    readonly source: string,
    detail: string,
  ) {
    super(`${source}: ${detail}`);
    this.name = 'ParseError';
  }
}

/** Reject blank input up front: empty text must never parse as "no rules" or "no servers". */
export function nonEmptyLines(text: string, source: string, what: string): string[] {
  if (text.trim() === '') throw new ParseError(source, `is empty; expected ${what}`);
  return text.split('\n');
}
