// The one-glance summary: claim × cluster-or-scenario, each cell pass, fail or skip, linked to the test that
// judged it in Playwright's HTML report. Built from what the tests annotated (verdict-annotations.ts); a test that
// judged nothing but carries a claim tag (`@strict-arp`) fills its claim's cell with its own outcome.
import { stripVTControlCharacters } from 'node:util';
import { CLAIMS } from '../claims/index.js';
import type { ClaimId, Status } from '../claims/types.js';
import { esc } from './svg.js';
import { columnOf, readVerdictNotes, type Annotation } from './verdict-annotations.js';

export interface TestEntry {
  id: string;
  title: string;
  project: string;
  annotations: readonly Annotation[];
  tags: readonly string[];
  outcome: Status;
  /** The first error's message, for a failed test; the skip reason, for a skipped one. */
  reason?: string;
}

export interface Cell {
  status: Status;
  expected?: Status;
  /** The verdict's or the error's first line: for a failure, the node and the address. */
  line: string;
  testId: string;
  test: string;
}

export interface SummaryGrid {
  claims: { id: ClaimId; title: string }[];
  columns: string[];
  cells: Partial<Record<ClaimId, Record<string, Cell>>>;
  /** Tests outside the grid that did not pass, and how many outside it passed. */
  others: { failed: Omit<Cell, 'expected'>[]; passed: number };
}

const CLAIM_IDS = CLAIMS.map((c) => c.id) as readonly string[];

export function summaryGrid(entries: TestEntry[]): SummaryGrid {
  const grid: SummaryGrid = { claims: CLAIMS.map(({ id, title }) => ({ id, title })), columns: [], cells: {}, others: { failed: [], passed: 0 } };
  for (const e of entries) {
    const cells = cellsOf(e);
    for (const [claim, cell] of cells) place(grid, claim, columnOf(e.annotations) ?? e.project, cell);
    // A test that did not pass is explained by a cell that shows it: a surprise, or (expecting nothing) its own outcome.
    const explained = cells.some(([, c]) => (c.expected !== undefined ? c.expected !== c.status : c.status === e.outcome));
    if (e.outcome === 'pass' && cells.length === 0) grid.others.passed++;
    else if (e.outcome !== 'pass' && !explained) grid.others.failed.push({ status: e.outcome, line: firstLine(e.reason ?? ''), testId: e.id, test: e.title });
  }
  return grid;
}

function cellsOf(e: TestEntry): [ClaimId, Cell][] {
  const at = { testId: e.id, test: e.title };
  const notes = readVerdictNotes(e.annotations);
  if (notes.length > 0) return notes.map((n) => [n.claim, { status: n.status, ...(n.expected && { expected: n.expected }), line: n.status === 'fail' ? firstFinding(n.message) : firstLine(n.message), ...at }]);
  const claim = e.tags.map((t) => t.replace(/^@/, '')).find((t) => CLAIM_IDS.includes(t));
  return claim ? [[claim as ClaimId, { status: e.outcome, line: firstLine(e.reason ?? ''), ...at }]] : [];
}

function place(grid: SummaryGrid, claim: ClaimId, column: string, cell: Cell): void {
  if (!grid.columns.includes(column)) grid.columns.push(column);
  const row = (grid.cells[claim] ??= {});
  const old = row[column];
  if (!old || rank(cell) > rank(old)) row[column] = cell;
}

/** Which of two cells for one claim and column is shown: a surprise first, then fail, skip, pass. */
function rank(c: Cell): number {
  if (c.expected !== undefined && c.expected !== c.status) return 4;
  return { fail: 3, skip: 2, pass: 1 }[c.status];
}

/** The first non-blank line as plain text (Playwright's messages carry ANSI colours). */
function firstLine(text: string): string {
  return stripVTControlCharacters(text).split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '';
}

/** A failing verdict lists its findings joined by "; ": the cell shows the first, which names the node and address. */
function firstFinding(message: string): string {
  const [first, ...rest] = firstLine(message).split('; ');
  return rest.length > 0 ? `${first!} (and more)` : first!;
}

export function counts(grid: SummaryGrid): Record<Status | 'unexpected', number> {
  const out = { pass: 0, fail: 0, skip: 0, unexpected: 0 };
  for (const row of Object.values(grid.cells)) {
    for (const c of Object.values(row)) {
      out[c.status]++;
      if (c.expected !== undefined && c.expected !== c.status) out.unexpected++;
    }
  }
  return out;
}

export function summaryLine(grid: SummaryGrid): string {
  const n = counts(grid);
  const surprises = n.unexpected > 0 ? `, ${n.unexpected} not as the test expected` : '';
  const others = grid.others.failed.length > 0 ? `; ${grid.others.failed.length} other test(s) did not pass` : '';
  return `${grid.claims.length} claims × ${grid.columns.length} cluster(s)/scenario(s): ${n.pass} pass, ${n.fail} fail, ${n.skip} skip${surprises}${others}`;
}

const STYLE = `body{font-family:sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse}th,td{border:1px solid #bbb;padding:.45em .6em;vertical-align:top;max-width:22em}
th{background:#f3f3f3;text-align:left}td a{font-weight:bold;text-decoration:none;color:inherit}td .line{font-size:.85em;margin-top:.2em}
td.pass{background:#d6f5dc}td.fail{background:#f9d0d0}td.skip{background:#ececec;color:#555}td.none{color:#999}
td.surprise{outline:3px solid #b00020;outline-offset:-3px}td .expect{font-size:.8em;font-style:italic}ul.others li{margin:.3em 0}`;

export function summaryHtml(grid: SummaryGrid, title: string, reportLink = 'index.html'): string {
  const link = (testId: string) => `${reportLink}#?testId=${encodeURIComponent(testId)}`;
  const head = `<tr><th>claim</th>${grid.columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;
  const rows = grid.claims.map(({ id, title: claimTitle }) => {
    const tds = grid.columns.map((col) => {
      const c = grid.cells[id]?.[col];
      if (!c) return `<td class="none" data-claim="${id}" data-column="${esc(col)}" data-status="none">—</td>`;
      const surprise = c.expected !== undefined && c.expected !== c.status;
      const expect = c.expected === undefined ? '' : `<div class="expect">${surprise ? `expected ${c.expected}` : 'as expected'}</div>`;
      return `<td class="${c.status}${surprise ? ' surprise' : ''}" data-claim="${id}" data-column="${esc(col)}" data-status="${c.status}" title="${esc(c.test)}"><a href="${esc(link(c.testId))}">${c.status.toUpperCase()}</a>${expect}<div class="line">${esc(c.line)}</div></td>`;
    });
    return `<tr><th title="${id}">${esc(claimTitle)}</th>${tds.join('')}</tr>`;
  });
  const others = grid.others.failed.length === 0 ? '' : `<h2>Other tests that did not pass</h2><ul class="others">${grid.others.failed.map((o) => `<li class="${o.status}" data-status="${o.status}"><a href="${esc(link(o.testId))}">${o.status.toUpperCase()}: ${esc(o.test)}</a> — ${esc(o.line)}</li>`).join('')}</ul>`;
  const body = `<h1>${esc(title)}</h1><p id="summary-line">${esc(summaryLine(grid))}</p><table id="grid">${head}${rows.join('')}</table>${others}<p><a href="${esc(reportLink)}">The full report: every test, its steps and its evidence</a></p>`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>\n`;
}
