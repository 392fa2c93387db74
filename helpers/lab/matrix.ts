import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLAIMS } from '../claims/index.js';
import type { ClaimId, Status } from '../claims/types.js';

/** Rows are files so that parallel workers can each write theirs; the matrix test reads them all at the end. */
export const MATRIX_DIR = join(import.meta.dirname, '..', '..', 'results', 'lab-matrix');
/** Every lab run leaves each scenario's snapshot here, under the scenario's name (refreshes fixtures/lab-snapshots). */
export const LAB_SNAPSHOTS_DIR = join(import.meta.dirname, '..', '..', 'results', 'lab-snapshots');

export interface MatrixRow {
  scenario: string;
  /** What the scenario must show for each claim. */
  expected: Partial<Record<ClaimId, Status>>;
  statuses: Partial<Record<ClaimId, Status>>;
}

export async function clearMatrix(): Promise<void> {
  await rm(MATRIX_DIR, { recursive: true, force: true });
}

export async function recordRow(row: MatrixRow): Promise<void> {
  await mkdir(MATRIX_DIR, { recursive: true });
  await writeFile(join(MATRIX_DIR, `${row.scenario}.json`), JSON.stringify(row));
}

export async function readRows(): Promise<MatrixRow[]> {
  const files = await readdir(MATRIX_DIR).catch(() => [] as string[]);
  return Promise.all(files.filter((f) => f.endsWith('.json')).map(async (f) => JSON.parse(await readFile(join(MATRIX_DIR, f), 'utf8')) as MatrixRow));
}

/** A fixed-width table: scenario × claim → pass/FAIL/skip; a claim the scenario must fail is marked with `*`. */
export function formatMatrix(rows: MatrixRow[], order: string[]): string {
  const sorted = [...rows].sort((a, b) => order.indexOf(a.scenario) - order.indexOf(b.scenario));
  const cols = CLAIMS.map((c, i) => ({ id: c.id, head: `C${i + 1}` }));
  const width = Math.max(8, ...sorted.map((r) => r.scenario.length));
  const cell = (r: MatrixRow, id: ClaimId) => {
    const s = r.statuses[id] ?? '—';
    return ((s === 'fail' ? 'FAIL' : s) + (r.expected[id] === 'fail' ? '*' : '') + (r.expected[id] !== undefined && r.expected[id] !== s ? '!' : '')).padEnd(6);
  };
  return [
    `${'scenario'.padEnd(width)}  ${cols.map((c) => c.head.padEnd(6)).join('')}`,
    ...sorted.map((r) => `${r.scenario.padEnd(width)}  ${cols.map((c) => cell(r, c.id)).join('')}`),
    '',
    ...cols.map((c) => `${c.head} = ${c.id}`),
    '* = the scenario must fail this claim; ! = the verdict differs from what the scenario expects',
  ].join('\n');
}
