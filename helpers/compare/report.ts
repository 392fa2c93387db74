// The migration report as a user reads it: one row per service port and behaviour, what each mode did, what its
// documentation says, the verdict, and the evidence behind it. HTML for Playwright's report, text for the CLI.
import { esc } from '../report/svg.js';
import type { MigrationReport, MigrationRow, RowVerdict } from './compare.js';

const COLOURS: Record<RowVerdict, string> = { same: '#e8f5e9', 'differs as documented': '#fff8e1', 'differs unexpectedly': '#ffebee' };

export function migrationSummary(r: MigrationReport): string {
  return `${r.a.mode} → ${r.b.mode}: ${r.rows.length} rows: ${r.counts.same} same, ${r.counts['differs as documented']} differ as documented, ${r.counts['differs unexpectedly']} differ unexpectedly`;
}

export function migrationText(r: MigrationReport): string {
  const mark: Record<RowVerdict, string> = { same: 'SAME', 'differs as documented': 'DOC ', 'differs unexpectedly': 'FAIL' };
  return [...r.rows.map((row) => `${mark[row.verdict]}  ${row.title}: ${row.message}`), migrationSummary(r)].join('\n');
}

export function migrationJson(r: MigrationReport): string {
  return JSON.stringify(r, null, 2);
}

function cell(o: MigrationRow['a']): string {
  const doc = o.documented ? `<div class="doc">documented: ${esc(o.documented)}</div>` : '';
  const ev = o.evidence ? `<details><summary>evidence</summary><pre>${esc(o.evidence)}</pre></details>` : '';
  return `<td><b>${esc(o.outcome)}</b>${doc}${ev}</td>`;
}

function rowHtml(row: MigrationRow): string {
  const sources = (row.sources ?? []).map((s) => `<a href="${esc(s)}">${esc(s.replace(/^https:\/\//, ''))}</a>`).join('<br>');
  return `<tr style="background:${COLOURS[row.verdict]}"><td>${esc(row.title)}<div class="path">${esc(row.path)}</div></td>${cell(row.a)}${cell(row.b)}<td><b>${esc(row.verdict)}</b></td><td class="src">${sources}</td></tr>`;
}

export function migrationHtml(r: MigrationReport): string {
  const head = `<tr><th>Service port or behaviour</th><th>${esc(r.a.mode)}</th><th>${esc(r.b.mode)}</th><th>verdict</th><th>documented in</th></tr>`;
  const style = 'body{font-family:sans-serif;font-size:14px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}.path,.doc,.src{font-size:12px;color:#555}pre{white-space:pre-wrap;max-width:40em}';
  return `<!doctype html><html><head><meta charset="utf-8"><title>Migration ${esc(r.a.mode)} → ${esc(r.b.mode)}</title><style>${style}</style></head><body><h1>What changes when this cluster moves from ${esc(r.a.mode)} to ${esc(r.b.mode)}</h1><p>${esc(migrationSummary(r))}</p><p>Only "differs unexpectedly" fails. Snapshots: ${esc(r.a.dir)} and ${esc(r.b.dir)}.</p><table>${head}${r.rows.map(rowHtml).join('')}</table></body></html>\n`;
}
