import type { Snapshot } from '../snapshot/read.js';
import { judge, type Verdict } from './types.js';

/**
 * The convergence half of kube-ipvs0-holds-clusterips, judged on one snapshot taken after a change: a new
 * service's ClusterIP is on every node's kube-ipvs0 (`present`), or a deleted one's is on none.
 */
export function judgeKubeIpvs0Convergence(snapshot: Snapshot, ip: string, present: boolean): Verdict {
  const nodes: Record<string, boolean> = {};
  const failures: string[] = [];
  for (const node of snapshot.nodes) {
    const holds = (node.interfaces.get('kube-ipvs0')?.ipv4 ?? []).some((a) => a.split('/')[0] === ip);
    nodes[node.name] = holds;
    if (holds !== present) failures.push(`${node.name}: kube-ipvs0 ${present ? 'lacks' : 'still holds'} ${ip}`);
  }
  const done = present ? `${ip} is on kube-ipvs0 on all ${snapshot.nodes.length} nodes` : `${ip} is on no node's kube-ipvs0 (${snapshot.nodes.length} nodes)`;
  return judge('kube-ipvs0-holds-clusterips', failures, done, { ip, present, nodes });
}
