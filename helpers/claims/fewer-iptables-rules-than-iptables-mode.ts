import type { IptablesDump } from '../parsers/iptables-save.js';
import { judge, skip, type Claim } from './types.js';

/** kube-proxy's rules: `-A` lines whose chain or jump target is a KUBE- chain (kindnet, Docker and others excluded). */
export function kubeProxyRuleCount(dump: IptablesDump): number {
  return dump.rules.filter((r) => r.chain.startsWith('KUBE-') || r.target?.startsWith('KUBE-')).length;
}

/** IPVS mode keeps a static rule set, so its busiest node must still have fewer rules than any iptables-mode node. */
export const fewerIptablesRules: Claim = {
  id: 'fewer-iptables-rules-than-iptables-mode',
  title: 'IPVS mode has fewer iptables rules than iptables mode',
  seedCommands: ['for i in filter nat mangle raw; do docker exec -it myk8s-worker iptables -t $i -S; done'],
  evaluate({ snapshot, baseline }) {
    if (!baseline) return skip(this.id, 'no --baseline snapshot in iptables mode was given');
    const ipvs = Object.fromEntries(snapshot.nodes.map((n) => [n.name, kubeProxyRuleCount(n.iptables)]));
    const base = Object.fromEntries([...baseline.iptables].map(([name, d]) => [name, kubeProxyRuleCount(d)]));
    const [maxName, max] = extreme(ipvs, (a, b) => a > b);
    const [minName, min] = extreme(base, (a, b) => a < b);
    const evidence = { ipvsMode: ipvs, iptablesMode: base, baseline: baseline.dir };
    const invalid = invalidComparison(snapshot.nodes, baseline.iptables);
    if (invalid.length > 0) return judge(this.id, invalid.map((why) => `comparison invalid: ${why}`), '', evidence);
    const failures =
      max < min ? [] : [`${maxName}: ${max} kube-proxy rules in IPVS mode, not below ${min} on ${minName} in iptables mode`];
    return judge(this.id, failures, `at most ${max} kube-proxy rules in IPVS mode (${maxName}) < at least ${min} in iptables mode (${minName})`, evidence);
  },
};

/**
 * The counts compare kube-proxy's own rules only if both sides show them: a near-zero count read through the
 * wrong iptables backend (legacy vs nft) must never pass as "fewer".
 */
function invalidComparison(nodes: { name: string; iptables: IptablesDump }[], baseline: Map<string, IptablesDump>): string[] {
  const why: string[] = [];
  for (const n of nodes) {
    if (!n.iptables.rules.some((r) => r.table === 'nat' && r.matchSets.includes('KUBE-CLUSTER-IP'))) {
      why.push(`${n.name} shows no IPVS-mode rule (no nat rule matches KUBE-CLUSTER-IP; wrong iptables backend, or kube-proxy not in IPVS mode?)`);
    }
  }
  for (const [name, dump] of baseline) {
    if (!dump.rules.some((r) => r.table === 'nat' && r.chain.startsWith('KUBE-SVC-'))) {
      why.push(`baseline node ${name} shows no iptables-mode service chain (no KUBE-SVC-* rule in nat; wrong iptables backend?)`);
    }
  }
  return why;
}

function extreme(counts: Record<string, number>, better: (a: number, b: number) => boolean): [string, number] {
  // Stryker disable next-line StringLiteral: equivalent, only seen with no nodes, which the snapshot reader refuses.
  let best: [string, number] = ['(no node)', NaN];
  for (const [name, n] of Object.entries(counts)) if (Number.isNaN(best[1]) || better(n, best[1])) best = [name, n];
  return best;
}
