// How a test tells the report which claim it judged and what the verdict was: a Playwright annotation per claim,
// `verdict: <claim id>` → `<status>: <message>` (with `(as expected)` or `(expected <status>)` where the test
// expected a verdict), plus an optional `cluster` or `scenario` annotation naming the grid's column. People read
// them at the top of each test in the HTML report; the summary reporter reads them back into its grid.
import type { ClaimId, Status } from '../claims/types.js';

export const VERDICT_TYPE = 'verdict: ';
export const COLUMN_TYPES = ['scenario', 'cluster'] as const;

export interface Annotation {
  type: string;
  description?: string;
}

export interface VerdictNote {
  claim: ClaimId;
  status: Status;
  /** The status the test expected, when it expected one. */
  expected?: Status;
  message: string;
}

export function verdictAnnotation(v: { id: ClaimId; status: Status; message: string }, expected?: Status): Annotation {
  const note = expected === undefined ? '' : expected === v.status ? ' (as expected)' : ` (expected ${expected})`;
  return { type: `${VERDICT_TYPE}${v.id}`, description: `${v.status}${note}: ${v.message}` };
}

const DESCRIPTION = /^(pass|fail|skip)(?: \((as expected|expected (pass|fail|skip))\))?: ([\s\S]*)$/;

/** The verdict annotations among a test's annotations, in order; others are ignored. */
export function readVerdictNotes(annotations: readonly Annotation[]): VerdictNote[] {
  return annotations.flatMap((a) => {
    if (!a.type.startsWith(VERDICT_TYPE)) return [];
    const m = DESCRIPTION.exec(a.description ?? '');
    if (!m) return [];
    const [, status, note, otherExpected, message] = m as unknown as [string, Status, string | undefined, Status | undefined, string];
    const expected = note === 'as expected' ? status : otherExpected;
    return [{ claim: a.type.slice(VERDICT_TYPE.length) as ClaimId, status, ...(expected && { expected }), message }];
  });
}

/** The grid column a test's annotations name, if any. */
export function columnOf(annotations: readonly Annotation[]): string | undefined {
  return annotations.find((a) => (COLUMN_TYPES as readonly string[]).includes(a.type))?.description;
}
