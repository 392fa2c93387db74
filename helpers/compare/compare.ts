// The migration judge: two snapshots of the same Services in different proxy modes, probe by probe. Each row
// reads "same", "differs as documented" (both outcomes are what each mode's documentation says, and those say
// different things) or "differs unexpectedly", the only verdict that fails. Pure: re-run offline by `compare`.
import { ipvsRrBalanced } from '../claims/ipvs-rr-balanced.js';
import { nodeAddresses } from '../claims/node-view.js';
import { NO_ANSWER } from '../parsers/whoami.js';
import { InputError } from '../snapshot/input-error.js';
import type { ClusterJson, ProbeResult, ProxyMode } from '../snapshot/model.js';
import type { Snapshot } from '../snapshot/read.js';
import { BEHAVIOURS } from './behaviours.js';

export type RowVerdict = 'same' | 'differs as documented' | 'differs unexpectedly';
export const ROW_VERDICTS: readonly RowVerdict[] = ['same', 'differs as documented', 'differs unexpectedly'];

export interface ModeObservation {
  outcome: string;
  /** What backs the outcome: the probe as the client saw it, or the balance split. */
  evidence?: string;
  /** What this mode's documentation says, for behaviour rows. */
  documented?: string;
}

export interface MigrationRow {
  key: string;
  kind: 'service-port' | 'source-address' | 'balance' | 'behaviour';
  title: string;
  /** Where the request came from and went to, for the message: node and address. */
  path: string;
  a: ModeObservation;
  b: ModeObservation;
  verdict: RowVerdict;
  message: string;
  sources?: readonly string[];
}

export interface MigrationReport {
  a: { dir: string; mode: ProxyMode };
  b: { dir: string; mode: ProxyMode };
  rows: MigrationRow[];
  counts: Record<RowVerdict, number>;
  /** Behaviours only one snapshot probed (its planner sends some only where they cannot leave the node): no row. */
  notCompared?: string[];
  ok: boolean;
}

export function compareSnapshots(a: Snapshot, b: Snapshot): MigrationReport {
  for (const s of [a, b]) if (!s.probes) throw new InputError(`${s.dir}: no probes.json; compare needs a snapshot taken with the migration probes`);
  const modes = { a: a.cluster.proxyMode, b: b.cluster.proxyMode };
  const probed = probeRows(a, b, modes);
  const rows = [...probed.rows, ...balanceRows(a, b, modes)];
  const counts = Object.fromEntries(ROW_VERDICTS.map((v) => [v, rows.filter((r) => r.verdict === v).length])) as Record<RowVerdict, number>;
  const skipped = probed.notCompared.length > 0 ? { notCompared: probed.notCompared } : {};
  return { a: { dir: a.dir, mode: modes.a }, b: { dir: b.dir, mode: modes.b }, rows, counts, ...skipped, ok: counts['differs unexpectedly'] === 0 };
}

type Modes = { a: ProxyMode; b: ProxyMode };

/**
 * The mode of the node that handles a request: the one whose node addresses hold its target (a NodePort from outside),
 * else the client's node. Mid-migration, nodes run different modes; a snapshot without per-node modes has one.
 */
export function handlingMode(s: Snapshot, p: ProbeResult): ProxyMode {
  const holder = s.nodes.find((n) => nodeAddresses(n).includes(p.target));
  const node = holder ?? s.nodes.find((n) => n.name === p.fromNode);
  const mode = node?.proxyMode;
  return mode === 'ipvs' || mode === 'iptables' || mode === 'nftables' ? mode : s.cluster.proxyMode;
}

/** A row per probe key; a behaviour only one snapshot probed gets a line instead (its planner sent it there only). */
function probeRows(sa: Snapshot, sb: Snapshot, clusterModes: Modes): { rows: MigrationRow[]; notCompared: string[] } {
  const byKey = (s: Snapshot) => new Map(s.probes!.map((p) => [p.key, p]));
  const [ma, mb] = [byKey(sa), byKey(sb)];
  const keys = [...new Set([...ma.keys(), ...mb.keys()])];
  const notCompared: string[] = [];
  const rows = keys.flatMap((key) => {
    const [x, y] = [ma.get(key), mb.get(key)];
    const probe = (x ?? y)!;
    if (probe.behaviour !== 'service-port' && (!x || !y)) {
      const only = x ? sa : sb;
      notCompared.push(`${key}: probed only in ${only.dir} (${handlingMode(only, probe)}), ${pathOf(probe)}`);
      return [];
    }
    const modes = { a: x ? handlingMode(sa, x) : clusterModes.a, b: y ? handlingMode(sb, y) : clusterModes.b };
    if (probe.behaviour !== 'service-port') return [behaviourRow(probe, x, y, modes)];
    const reach = reachRow(probe, x, y, modes);
    return x?.outcome === 'answered' && y?.outcome === 'answered' ? [reach, sourceRow(probe, [x, sourceSeen(x, sa.cluster)], [y, sourceSeen(y, sb.cluster)], modes)] : [reach];
  });
  return { rows, notCompared };
}

function pathOf(p: ProbeResult): string {
  const port = p.port === undefined ? '' : `:${p.port}`;
  return `${p.from}${p.fromNode && p.fromNode !== p.from ? ` on ${p.fromNode}` : ''} → ${p.target}${port}/${p.protocol}`;
}

/** The outcome a row compares: an HTTP status for a non-whoami server, how many backends answered a repeated probe. */
export function outcomeOf(p: ProbeResult): string {
  if (p.httpStatus !== undefined) return `HTTP ${p.httpStatus}`;
  if (p.backends) return p.backends.length === 1 ? 'one backend' : `${p.backends.length} backends`;
  return p.outcome;
}

function observed(p: ProbeResult | undefined): ModeObservation {
  if (!p) return { outcome: 'not probed' };
  return { outcome: outcomeOf(p), evidence: p.detail };
}

function describe(p: ProbeResult | undefined): string {
  if (!p) return 'not probed';
  if (p.backends) return `${outcomeOf(p)} (${p.backends.join(', ')})`;
  return p.hostname ? `answered by ${p.hostname}` : outcomeOf(p);
}

function row(base: Omit<MigrationRow, 'verdict' | 'message'>, verdict: RowVerdict, modes: Modes, what: (side: 'a' | 'b') => string): MigrationRow {
  const sides = `${what('a')} in ${modes.a}, ${what('b')} in ${modes.b}`;
  const message = verdict === 'same' ? `${base.path}: ${what('a')} in both modes` : `${base.path}: ${sides}`;
  return { ...base, verdict, message };
}

function reachRow(probe: ProbeResult, x: ProbeResult | undefined, y: ProbeResult | undefined, modes: Modes): MigrationRow {
  const base = { key: probe.key, kind: 'service-port' as const, title: `${probe.service ?? probe.key} port ${probe.port}/${probe.protocol}`, path: pathOf(probe), a: observed(x), b: observed(y) };
  const same = x !== undefined && y !== undefined && x.outcome === y.outcome;
  return row(base, same ? 'same' : 'differs unexpectedly', modes, (s) => (same ? x.outcome : describe(s === 'a' ? x : y)));
}

/**
 * The client's address as the backend saw it, named by what it is in its own snapshot: two clusters give the same
 * client different IPs, so "the client's own address" is what compares. undefined: none reported (a DNS answer).
 */
export function sourceSeen(p: ProbeResult, cluster: ClusterJson): string | undefined {
  if (p.remoteAddr === undefined) return undefined;
  if (p.remoteAddr === p.fromIP) return "the client's own address";
  const node = cluster.nodes.find((n) => n.internalIP === p.remoteAddr);
  if (node && node.name === p.fromNode) return "the client's node's address";
  return node ? `node ${node.name}'s address` : p.remoteAddr;
}

function sourceRow(probe: ProbeResult, [x, seenX]: [ProbeResult, string | undefined], [y, seenY]: [ProbeResult, string | undefined], modes: Modes): MigrationRow {
  const NONE = 'no address reported';
  const base = {
    key: `${probe.key} source`, kind: 'source-address' as const, title: `${probe.service ?? probe.key}: the client's address as the backend sees it`, path: pathOf(probe),
    a: { outcome: seenX ?? NONE, evidence: x.detail }, b: { outcome: seenY ?? NONE, evidence: y.detail },
  };
  // Neither answer carries an address (a DNS server answers for itself): the same behaviour in both modes.
  const same = seenX === seenY;
  return row(base, same ? 'same' : 'differs unexpectedly', modes, (s) => `the backend saw ${(s === 'a' ? seenX : seenY) ?? NONE}`);
}

function behaviourRow(probe: ProbeResult, x: ProbeResult | undefined, y: ProbeResult | undefined, modes: Modes): MigrationRow {
  const b = BEHAVIOURS[probe.behaviour];
  const doc = (m: ProxyMode) => b?.documented[m];
  const a = { ...observed(x), ...(doc(modes.a) && { documented: doc(modes.a)!.says }) };
  const bb = { ...observed(y), ...(doc(modes.b) && { documented: doc(modes.b)!.says }) };
  const base = { key: probe.key, kind: 'behaviour' as const, title: b?.title ?? probe.behaviour, path: pathOf(probe), a, b: bb, ...(b && { sources: b.sources }) };
  return row(base, documentedVerdict(probe.behaviour, a.outcome, bb.outcome, modes), modes, (s) => describe(s === 'a' ? x : y));
}

/** Equal outcomes are the same; different ones are as documented only when each is what its mode's docs allow. */
export function documentedVerdict(behaviour: string, oa: string, ob: string, modes: Modes): RowVerdict {
  if (oa === ob) return 'same';
  const doc = BEHAVIOURS[behaviour]?.documented;
  const allowed = (m: ProxyMode, o: string) => doc?.[m]?.outcomes.includes(o) === true;
  return allowed(modes.a, oa) && allowed(modes.b, ob) ? 'differs as documented' : 'differs unexpectedly';
}

/** The balance probe's split, judged per mode by the rr claim's χ² test, and how it was spread. */
function balanceRows(a: Snapshot, b: Snapshot, modes: Modes): MigrationRow[] {
  if (!a.traffic && !b.traffic) return [];
  const t = (a.traffic ?? b.traffic)!;
  const path = `${t.clientPod} on ${t.clientNode} → ${t.clusterIP}:${t.port}/${t.protocol}`;
  const balance = (s: Snapshot): ModeObservation => {
    if (!s.traffic) return { outcome: 'not probed' };
    const v = ipvsRrBalanced.evaluate({ snapshot: s });
    return { outcome: v.status === 'pass' ? 'balanced' : 'unbalanced', evidence: v.message };
  };
  const [ba, bb] = [balance(a), balance(b)];
  const balanced = row({ key: 'balance', kind: 'balance', title: `${t.service}: new connections spread over the ready endpoints (χ² test)`, path, a: ba, b: bb }, ba.outcome === bb.outcome ? 'same' : 'differs unexpectedly', modes, (s) => (s === 'a' ? ba : bb).outcome);
  const spread = (s: Snapshot): ModeObservation => (s.traffic ? { outcome: spreadOf(s.traffic.responses), evidence: tally(s.traffic.responses) } : { outcome: 'not probed' });
  const [sa, sb] = [spread(a), spread(b)];
  const sched = BEHAVIOURS.scheduler!;
  const docOf = (m: ProxyMode) => sched.documented[m] && { documented: sched.documented[m].says };
  const scheduler = row(
    { key: 'scheduler', kind: 'behaviour', title: sched.title, path, a: { ...sa, ...docOf(modes.a) }, b: { ...sb, ...docOf(modes.b) }, sources: sched.sources },
    documentedVerdict('scheduler', sa.outcome, sb.outcome, modes),
    modes,
    (s) => `${(s === 'a' ? sa : sb).outcome} (${(s === 'a' ? sa : sb).evidence ?? ''})`,
  );
  return [balanced, scheduler];
}

/** Round-robin hands out new connections in turn: every backend's count is within one of every other's. */
export function spreadOf(responses: string[]): 'round-robin' | 'random' {
  const counts = [...tallyMap(responses).values()];
  const answered = !responses.includes(NO_ANSWER) && counts.length > 1;
  return answered && Math.max(...counts) - Math.min(...counts) <= 1 ? 'round-robin' : 'random';
}

/** How many times each response came. */
export function tallyMap(responses: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of responses) m.set(r, (m.get(r) ?? 0) + 1);
  return m;
}

function tally(responses: string[]): string {
  return [...tallyMap(responses)].sort(([x], [y]) => x.localeCompare(y)).map(([n, c]) => `${n}=${c}`).join(' ');
}
