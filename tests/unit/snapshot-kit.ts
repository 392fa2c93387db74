// Judge-only unit tests start from REAL snapshots: what Kubernetes' own kube-proxy programmed in the lab
// (fixtures/lab-snapshots, see its README). A fail case is a hand-written edit of that real text (`tweak`) or
// of cluster.json (`cluster`), or a real failure scenario's snapshot (`from`). Nothing here derives expected
// values from the judge's own model.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { evaluateSnapshot } from '../../helpers/cli/evaluate.js';
import type { ClaimId, Verdict } from '../../helpers/claims/types.js';
import type { ArpProbe, ClusterJson, TrafficJson } from '../../helpers/snapshot/model.js';
import { readRawNodeFiles } from '../../helpers/snapshot/read.js';
import { writeSnapshot, type NodeFiles } from '../../helpers/snapshot/write.js';

export const LAB_SNAPSHOTS = join(import.meta.dirname, '..', '..', 'fixtures', 'lab-snapshots');
/** The last node in cluster.json order: a judge that stops one node early misses what is edited here. */
export const LAST_NODE = 'myk8s-worker3';

export interface Kit {
  /** Which real lab snapshot to start from (default: conforming). */
  from?: string;
  cluster?: (c: ClusterJson) => void;
  tweak?: (node: string, files: NodeFiles) => void;
  /** Replaces the real traffic.json; `null` removes it. */
  traffic?: TrafficJson | null;
  /** Replaces the real arp.json; `null` removes it. */
  arp?: ArpProbe[] | null;
  /** Which real snapshot serves as the iptables-mode baseline (default: baseline). */
  baseline?: string;
  /** Edits the baseline's node files (it is then copied next to the snapshot). */
  baselineTweak?: (node: string, files: NodeFiles) => void;
}

async function optionalJson<T>(file: string): Promise<T | undefined> {
  return readFile(file, 'utf8').then((t) => JSON.parse(t) as T, () => undefined);
}

export async function writeKit(dir: string, kit: Kit = {}): Promise<{ dir: string; baseline: string; cluster: ClusterJson }> {
  const src = join(LAB_SNAPSHOTS, kit.from ?? 'conforming');
  const cluster = JSON.parse(await readFile(join(src, 'cluster.json'), 'utf8')) as ClusterJson;
  const nodes = await readRawNodeFiles(src);
  kit.cluster?.(cluster);
  for (const [name, files] of nodes) kit.tweak?.(name, files);
  const traffic = kit.traffic === undefined ? await optionalJson<TrafficJson>(join(src, 'traffic.json')) : kit.traffic;
  const arp = kit.arp === undefined ? await optionalJson<ArpProbe[]>(join(src, 'arp.json')) : kit.arp;
  // A fresh directory each time: a file the edit removed must not survive from an earlier kit in the same place.
  await rm(join(dir, 'snap'), { recursive: true, force: true });
  await writeSnapshot(join(dir, 'snap'), { cluster, nodes, ...(traffic && { traffic }), ...(arp && { arp }) });
  const baselineSrc = join(LAB_SNAPSHOTS, kit.baseline ?? 'baseline');
  if (!kit.baselineTweak) return { dir: join(dir, 'snap'), baseline: baselineSrc, cluster };
  const baseNodes = await readRawNodeFiles(baselineSrc);
  for (const [name, files] of baseNodes) kit.baselineTweak(name, files);
  const baseCluster = JSON.parse(await readFile(join(baselineSrc, 'cluster.json'), 'utf8')) as ClusterJson;
  await writeSnapshot(join(dir, 'base'), { cluster: baseCluster, nodes: baseNodes });
  return { dir: join(dir, 'snap'), baseline: join(dir, 'base'), cluster };
}

export async function verdictOf(dir: string, claim: ClaimId, kit: Kit = {}, withBaseline = true): Promise<Verdict> {
  const k = await writeKit(dir, kit);
  const { verdicts } = await evaluateSnapshot(k.dir, withBaseline ? k.baseline : undefined);
  return verdicts.find((v) => v.id === claim)!;
}

/** The seed's balance probe as the lab runs it, with the given answer counts. */
export function traffic(responses: Record<string, number>): TrafficJson {
  return {
    service: 'default/svc-clusterip', clusterIP: '10.200.1.245', port: 9000, protocol: 'TCP', clientPod: 'net-pod', clientNode: 'myk8s-control-plane',
    responses: Object.entries(responses).flatMap(([name, n]) => Array<string>(n).fill(name)),
  };
}

/** A node's /proc/net/ip_vs to edit, with its ipvsadm.txt removed so the edited /proc view is the one judged. */
export function procAlone(f: NodeFiles): string {
  delete f.ipvsadm;
  return f.procIpvs!;
}
