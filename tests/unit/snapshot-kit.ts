// Builds small synthetic snapshots on disk for judge-only unit tests (the lab proves the same claims on a real
// kernel). `tweak` edits one node's raw text before it is written, which is how each fail case is made.
import { evaluateSnapshot } from '../../helpers/cli/evaluate.js';
import type { ClaimId, Verdict } from '../../helpers/claims/types.js';
import type { ArpProbe, ClusterJson, TrafficJson } from '../../helpers/snapshot/model.js';
import { renderAllNodes, syntheticCluster, syntheticServices } from '../../helpers/snapshot/synthetic.js';
import { writeSnapshot, type NodeFiles } from '../../helpers/snapshot/write.js';

export interface Kit {
  cluster?: (c: ClusterJson) => void;
  tweak?: (node: string, files: NodeFiles) => void;
  traffic?: TrafficJson;
  arp?: ArpProbe[];
  baselineServices?: number;
}

export const NODE0 = 'ipvs-node-0';

export async function writeKit(dir: string, kit: Kit = {}): Promise<{ dir: string; baseline: string; cluster: ClusterJson }> {
  const cluster = syntheticCluster(syntheticServices(3), 'ipvs', 2);
  cluster.services.push({ namespace: 'bench', name: 'headless', clusterIPs: ['None'], ports: [{ name: 'http', protocol: 'TCP', port: 80, endpoints: [] }] });
  const nodes = renderAllNodes(cluster);
  kit.cluster?.(cluster);
  for (const [name, files] of nodes) kit.tweak?.(name, files);
  await writeSnapshot(`${dir}/snap`, { cluster, nodes, ...(kit.traffic && { traffic: kit.traffic }), ...(kit.arp && { arp: kit.arp }) });
  const base = syntheticCluster(syntheticServices(kit.baselineServices ?? 3), 'iptables', 1);
  await writeSnapshot(`${dir}/base`, { cluster: base, nodes: renderAllNodes(base) });
  return { dir: `${dir}/snap`, baseline: `${dir}/base`, cluster };
}

export async function verdictOf(dir: string, claim: ClaimId, kit: Kit = {}, withBaseline = true): Promise<Verdict> {
  const k = await writeKit(dir, kit);
  const { verdicts } = await evaluateSnapshot(k.dir, withBaseline ? k.baseline : undefined);
  return verdicts.find((v) => v.id === claim)!;
}

export function traffic(responses: Record<string, number>): TrafficJson {
  return {
    service: 'bench/svc-0', clusterIP: '10.96.0.2', port: 80, protocol: 'TCP', clientPod: 'net-pod', clientNode: NODE0,
    responses: Object.entries(responses).flatMap(([name, n]) => Array<string>(n).fill(name)),
  };
}
