// An in-place migration read as a timeline: snapshots of one cluster taken before, during (node by node) and after
// its kube-proxy moves from IPVS to nftables mode. Per stage: which mode each node ran, what the probes saw
// against the first stage (compareSnapshots, each request judged by the mode of the node that handled it), and
// for every node that switched since the previous stage, what the switch left behind (switchLeftovers).
import { InputError } from '../snapshot/input-error.js';
import type { StreamEvent, StreamEventKind, StreamResult, StreamsJson } from '../snapshot/model.js';
import type { Snapshot } from '../snapshot/read.js';
import { compareSnapshots, type MigrationReport } from './compare.js';
import { switchLeftovers, type LeftoverRow } from './switch-leftovers.js';

export type Phase = 'before' | 'mixed' | 'after';

export interface TimelineStage {
  dir: string;
  phase: Phase;
  /** Node → what its kube-proxy answered on /proxyMode ('absent' when nothing answered). */
  modes: Record<string, string>;
  /** This stage's probes against the first stage's; absent for the first stage. */
  probes?: MigrationReport;
  /** The switches since the previous stage, row by row. */
  leftovers: LeftoverRow[];
  /** ARP replies mypc got for each load-balancer IP (arp.json), when the snapshot probed them. */
  lbArp: { target: string; replies: number }[];
}

export interface MigrationTimeline {
  nodes: string[];
  stages: TimelineStage[];
  /** Rows whose node did not show the documented outcome, and probe rows that differ unexpectedly. */
  failures: string[];
  /** What users must act on though the switch went as documented. */
  flags: string[];
  /** The long-lived streams of the last snapshot that has them: measured, not judged (nothing documents them). */
  streams: StreamReport[];
  ok: boolean;
}

export interface StreamReport extends Omit<StreamResult, 'events'> {
  counts: Partial<Record<StreamEventKind, number>>;
  /** Each event, seconds after the stream opened, and the harness step it followed. */
  events: (StreamEvent & { sinceOpen: number; after?: string })[];
  /** The harness steps taken while the stream was open. */
  across: string[];
}

export function migrationTimeline(snapshots: Snapshot[]): MigrationTimeline {
  if (snapshots.length < 2) throw new InputError('a migration timeline needs at least two snapshots');
  const [first] = snapshots as [Snapshot, ...Snapshot[]];
  const nodes = first.nodes.map((n) => n.name);
  for (const s of snapshots) {
    const missing = nodes.filter((n) => !s.nodes.some((x) => x.name === n));
    if (missing.length > 0) throw new InputError(`${s.dir}: lacks node ${missing.join(', ')} of ${first.dir}; a timeline follows one cluster's nodes`);
  }
  const stages = snapshots.map((s, i): TimelineStage => {
    const modes = Object.fromEntries(nodes.map((n) => [n, s.nodes.find((x) => x.name === n)!.proxyMode ?? 'absent']));
    // Stryker disable next-line ArrayDeclaration: equivalent, a made-up element has no kind and is filtered out
    const lbArp = (s.arp ?? []).filter((a) => a.kind === 'loadBalancer').map(({ target, replies }) => ({ target, replies }));
    return { dir: s.dir, phase: phaseOf(Object.values(modes)), modes, ...(i > 0 && { probes: compareSnapshots(first, s) }), leftovers: i > 0 ? switchLeftovers(snapshots[i - 1]!, s) : [], lbArp };
  });
  const failures = stages.flatMap((st) => [
    ...st.lbArp.filter((a) => a.replies > 0).map((a) => `${st.dir}: load-balancer IP ${a.target} got ${a.replies} ARP replies; ${LB_ARP_DOCUMENTED}`),
    ...st.leftovers.filter((r) => !r.ok).map((r) => `${st.dir}: ${r.message} (documented: ${r.documented})`),
    ...(st.probes?.rows ?? []).filter((r) => r.verdict === 'differs unexpectedly').map((r) => `${st.dir}: ${r.title}: ${r.message}`),
  ]);
  const flags = stages.flatMap((st) => st.leftovers.flatMap((r) => (r.flag ? [r.flag] : [])));
  const streams = [...snapshots].reverse().find((s) => s.streams)?.streams;
  return { nodes, stages, failures, flags, streams: streams ? streamReports(streams) : [], ok: failures.length === 0 };
}

/** Counts each stream's events by kind and places each after the last harness step before it. */
export function streamReports(json: StreamsJson): StreamReport[] {
  const marks = [...json.marks].sort((a, b) => a.t - b.t);
  return json.streams.map((s) => {
    const counts: Partial<Record<StreamEventKind, number>> = {};
    for (const e of s.events) counts[e.kind] = (counts[e.kind] ?? 0) + 1;
    const events = s.events.map((e) => {
      const after = marks.filter((m) => m.t <= e.t).at(-1)?.label;
      return { ...e, sinceOpen: Math.round((e.t - (s.opened ?? e.t)) * 10) / 10, ...(after && { after }) };
    });
    const across = marks.filter((m) => s.opened !== undefined && s.ended !== undefined && m.t >= s.opened && m.t <= s.ended).map((m) => m.label);
    return { ...s, counts, events, across };
  });
}

/**
 * With strictARP, an IPVS node holds LB IPs on kube-ipvs0 but never answers ARP for them; an nftables node does not
 * hold them at all. Either way only an L2 announcer (MetalLB, kube-vip) may answer, and the lab has none.
 */
export const LB_ARP_DOCUMENTED = 'documented: no node answers (IPVS with strictARP stays silent, nftables does not hold the address), only an L2 announcer such as MetalLB or kube-vip';

/** All nodes in IPVS mode: before; all in nftables: after; anything else is the mixed period. */
export function phaseOf(modes: string[]): Phase {
  if (modes.every((m) => m === 'ipvs')) return 'before';
  if (modes.every((m) => m === 'nftables')) return 'after';
  return 'mixed';
}
