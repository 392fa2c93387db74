import type { NodeObservation } from '../snapshot/read.js';
import { expectedClusterIPs, expectedServicePorts, ipsetEntry } from './expected.js';
import { judge, type Claim } from './types.js';

const SET = 'KUBE-CLUSTER-IP';
/** Chains that only iptables mode creates, one (or more) per service or endpoint. */
export const PER_SERVICE_CHAIN = /^KUBE-(SVC|SEP|SVL|EXT|FW)-/;

/** One hash:ip,port set holds every ClusterIP:port, so nat needs no per-service chain or rule. */
export const ipsetReplacesPerServiceRules: Claim = {
  id: 'ipset-replaces-per-service-rules',
  title: 'ipset KUBE-CLUSTER-IP replaces the per-service iptables rules',
  seedCommands: ['docker exec -it myk8s-control-plane ipset list KUBE-CLUSTER-IP', 'docker exec -it myk8s-control-plane iptables -t nat -S | grep KUBE-CLUSTER-IP'],
  evaluate({ snapshot }) {
    const entries = expectedServicePorts(snapshot.cluster).map(ipsetEntry);
    const clusterIPs = new Set([...expectedClusterIPs(snapshot.cluster).keys()].map((ip) => `${ip}/32`));
    const failures: string[] = [];
    const perNode: Record<string, unknown> = {};
    for (const node of snapshot.nodes) perNode[node.name] = checkNode(node, entries, clusterIPs, failures);
    return judge(
      this.id,
      failures,
      `${SET} holds all ${entries.length} ClusterIP,proto:port entries and nat has no per-service chain or ClusterIP rule on all ${snapshot.nodes.length} nodes`,
      { expectedEntries: entries.length, nodes: perNode },
    );
  },
};

function checkNode(node: NodeObservation, entries: string[], clusterIPs: Set<string>, failures: string[]): unknown {
  const set = node.ipsets.get(SET);
  if (!set) failures.push(`${node.name}: ipset ${SET} does not exist`);
  else if (set.type !== 'hash:ip,port') failures.push(`${node.name}: ipset ${SET} has type ${set.type}, expected hash:ip,port`);
  const missing = set ? entries.filter((e) => !set.members.has(e)) : [];
  for (const e of missing) failures.push(`${node.name}: ipset ${SET} lacks ${e}`);
  // Stryker disable next-line ArrayDeclaration: equivalent, a made-up chain name in an absent nat table matches no per-service pattern.
  const natChains = [...(node.iptables.chains.get('nat') ?? [])];
  const perService = natChains.filter((c) => PER_SERVICE_CHAIN.test(c));
  for (const c of perService) failures.push(`${node.name}: nat has per-service chain ${c}`);
  const nat = node.iptables.rules.filter((r) => r.table === 'nat');
  const byClusterIP = nat.filter((r) => r.destination !== undefined && clusterIPs.has(r.destination));
  for (const r of byClusterIP) failures.push(`${node.name}: nat rule in ${r.chain} matches ClusterIP -d ${r.destination}`);
  const setRules = nat.filter((r) => r.matchSets.includes(SET));
  if (setRules.length === 0) failures.push(`${node.name}: no nat rule uses --match-set ${SET}`);
  return { members: set?.members.size ?? 0, missing, perServiceChains: perService, clusterIPRules: byClusterIP.length, natRulesUsingSet: setRules.length };
}
