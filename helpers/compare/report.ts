// The migration report as a user reads it: one row per service port and behaviour, what each mode did, what its
// documentation says, the verdict, and the evidence behind it. HTML for Playwright's report, text for the CLI.
import { esc } from '../report/svg.js';
import type { MigrationReport, MigrationRow, RowVerdict } from './compare.js';
import type { LeftoverRow } from './switch-leftovers.js';
import type { MigrationTimeline, Phase, StreamReport, TimelineStage } from './timeline.js';

const COLOURS: Record<RowVerdict, string> = { same: '#e8f5e9', 'differs as documented': '#fff8e1', 'differs unexpectedly': '#ffebee' };

export function migrationSummary(r: MigrationReport): string {
  return `${r.a.mode} → ${r.b.mode}: ${r.rows.length} rows: ${r.counts.same} same, ${r.counts['differs as documented']} differ as documented, ${r.counts['differs unexpectedly']} differ unexpectedly`;
}

export function migrationText(r: MigrationReport): string {
  const mark: Record<RowVerdict, string> = { same: 'SAME', 'differs as documented': 'DOC ', 'differs unexpectedly': 'FAIL' };
  const skipped = (r.notCompared ?? []).map((line) => `NOT COMPARED  ${line}`);
  return [...r.rows.map((row) => `${mark[row.verdict]}  ${row.title}: ${row.message}`), ...skipped, migrationSummary(r)].join('\n');
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

function notComparedHtml(r: MigrationReport): string {
  const lines = r.notCompared ?? [];
  return lines.length === 0 ? '' : `<h2>Probed in one snapshot only, not compared</h2><ul>${lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>`;
}

export function migrationHtml(r: MigrationReport): string {
  const head = `<tr><th>Service port or behaviour</th><th>${esc(r.a.mode)}</th><th>${esc(r.b.mode)}</th><th>verdict</th><th>documented in</th></tr>`;
  const style = 'body{font-family:sans-serif;font-size:14px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}.path,.doc,.src{font-size:12px;color:#555}pre{white-space:pre-wrap;max-width:40em}';
  return `<!doctype html><html><head><meta charset="utf-8"><title>Migration ${esc(r.a.mode)} → ${esc(r.b.mode)}</title><style>${style}</style></head><body><h1>What changes when this cluster moves from ${esc(r.a.mode)} to ${esc(r.b.mode)}</h1><p>${esc(migrationSummary(r))}</p><p>Only "differs unexpectedly" fails. Snapshots: ${esc(r.a.dir)} and ${esc(r.b.dir)}.</p><table>${head}${r.rows.map(rowHtml).join('')}</table>${notComparedHtml(r)}</body></html>\n`;
}

const PHASE_COLOURS: Record<Phase, string> = { before: '#e3f2fd', mixed: '#fff8e1', after: '#e8f5e9' };

/** One line per stream: where it went, who answered, how many lines came back, then its events in time order. */
export function streamLines(t: MigrationTimeline): string[] {
  return t.streams.map((s) => {
    const events = eventRuns(s.events).map((r) => {
      const when = r.length === 1 ? `at +${r[0]!.sinceOpen} s` : `from +${r[0]!.sinceOpen} s to +${r.at(-1)!.sinceOpen} s (${r.length} lines unanswered)`;
      return `${r.length === 1 ? r[0]!.kind : 'stalled'} ${when}${r[0]!.after ? ` (after ${r[0]!.after})` : ''}`;
    });
    const across = s.across.length > 0 ? `; open across: ${s.across.join(', ')}` : '';
    return `STREAM ${s.name} from ${s.from} to ${s.target}:${s.port}${s.backend ? ` (${s.backend})` : ''}: ${s.echoed} lines echoed; ${events.length === 0 ? 'no reset, stall or close' : events.join('; ')}${across}`;
  });
}

/** Consecutive stalls (one per unanswered line) read as one run; any other event stands alone. */
function eventRuns(events: StreamReport['events']): StreamReport['events'][] {
  const runs: StreamReport['events'][] = [];
  for (const e of events) {
    const last = runs.at(-1)?.at(-1);
    if (last && last.kind === 'stall' && e.kind === 'stall' && e.seq === last.seq + 1) runs.at(-1)!.push(e);
    else runs.push([e]);
  }
  return runs;
}

export function timelineSummary(t: MigrationTimeline): string {
  const switched = t.stages.flatMap((s) => s.leftovers).filter((r) => r.key === 'kube-ipvs0').length;
  return `in-place migration: ${t.stages.length} stages (${t.stages.map((s) => s.phase).join(' → ')}), ${switched} node switches, ${t.failures.length} failures, ${t.flags.length} to act on`;
}

/** The modes per node across the stages, then every failure and flag, one line each. */
export function timelineText(t: MigrationTimeline): string {
  const width = Math.max(...t.nodes.map((n) => n.length));
  const modes = t.nodes.map((n) => `${n.padEnd(width)}  ${t.stages.map((s) => (s.modes[n] ?? '').padEnd(9)).join(' ')}`.trimEnd());
  const phases = `${''.padEnd(width)}  ${t.stages.map((s) => s.phase.padEnd(9)).join(' ')}`.trimEnd();
  return [phases, ...modes, ...t.failures.map((f) => `FAIL  ${f}`), ...t.flags.map((f) => `ACT   ${f}`), ...streamLines(t), timelineSummary(t)].join('\n');
}

export function timelineJson(t: MigrationTimeline): string {
  return JSON.stringify(t, null, 2);
}

function leftoverHtml(r: LeftoverRow): string {
  const sources = r.sources.map((s) => `<a href="${esc(s)}">${esc(s.replace(/^https:\/\//, ''))}</a>`).join('<br>');
  const flag = r.flag ? `<div class="flag">act: ${esc(r.flag)}</div>` : '';
  return `<tr style="background:${r.ok ? COLOURS.same : COLOURS['differs unexpectedly']}"><td>${esc(r.node)}</td><td>${esc(r.title)}</td><td><b>${esc(r.seen)}</b>${flag}</td><td>${esc(r.documented)}</td><td><b>${r.ok ? 'as documented' : 'not as documented'}</b></td><td class="src">${sources}</td></tr>`;
}

function stageHeader(s: TimelineStage, i: number): string {
  const p = s.probes;
  const probes = p ? `<div class="path">${p.counts.same} same, ${p.counts['differs as documented']} as documented, ${p.counts['differs unexpectedly']} unexpected</div>` : '<div class="path">the reference</div>';
  return `<th style="background:${PHASE_COLOURS[s.phase]}">${i + 1}. ${esc(s.phase)}<div class="path">${esc(s.dir.split('/').pop() ?? s.dir)}</div>${probes}</th>`;
}

export function timelineHtml(t: MigrationTimeline): string {
  const style = 'body{font-family:sans-serif;font-size:14px}table{border-collapse:collapse;margin-bottom:1em}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}.path,.src{font-size:12px;color:#555}.flag{color:#8a4b00}';
  const modeCell = (m: string) => `<td style="background:${m === 'ipvs' ? PHASE_COLOURS.before : m === 'nftables' ? PHASE_COLOURS.after : COLOURS['differs unexpectedly']}">${esc(m)}</td>`;
  const grid = `<table><tr><th>node</th>${t.stages.map(stageHeader).join('')}</tr>${t.nodes.map((n) => `<tr><td>${esc(n)}</td>${t.stages.map((s) => modeCell(s.modes[n] ?? '')).join('')}</tr>`).join('')}</table>`;
  const rows = t.stages.flatMap((s) => s.leftovers);
  const left = rows.length === 0 ? '' : `<h2>What each switch left behind</h2><table><tr><th>node</th><th>what</th><th>seen</th><th>documented</th><th>verdict</th><th>source</th></tr>${rows.map(leftoverHtml).join('')}</table>`;
  const fails = t.failures.length === 0 ? '<p>No failures.</p>' : `<h2>Failures</h2><ul>${t.failures.map((f) => `<li>${esc(f)}</li>`).join('')}</ul>`;
  const streams = t.streams.length === 0 ? '' : `<h2>Connections held open through the migration (measured)</h2><ul>${streamLines(t).map((l) => `<li>${esc(l.replace(/^STREAM /, ''))}</li>`).join('')}</ul>`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>In-place migration</title><style>${style}</style></head><body><h1>In-place migration, node by node</h1><p>${esc(timelineSummary(t))}</p>${grid}${fails}${streams}${left}</body></html>\n`;
}
