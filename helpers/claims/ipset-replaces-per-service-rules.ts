import type { NodeObservation, Snapshot } from '../snapshot/read.js';
import { serviceKey, type Service } from '../snapshot/model.js';
import { expectedClusterIPs, expectedVirtualServers, familyOf, hostRoute, inCidr, ipsetEntry, type ExpectedVirtualServer } from './expected.js';
import { nodeView } from './node-view.js';
import { judge, type Claim, type Finding } from './types.js';

const SET = 'KUBE-CLUSTER-IP';
/** Chains that only iptables mode creates, one (or more) per service or endpoint. */
export const PER_SERVICE_CHAIN = /^KUBE-(SVC|SEP|SVL|EXT|FW)-/;

/** set name → entry → the Service it is for. */
type Entries = Map<string, Map<string, string>>;

/**
 * A few hash sets hold every service address (ClusterIPs, external and LB IPs, NodePorts, health-check ports), so
 * nat needs no per-service chain or rule: each entry kube-proxy's proxier.go (977-1368) adds is in its set.
 */
export const ipsetReplacesPerServiceRules: Claim = {
  id: 'ipset-replaces-per-service-rules',
  title: 'ipset KUBE-CLUSTER-IP replaces the per-service iptables rules',
  seedCommands: ['docker exec -it myk8s-control-plane ipset list KUBE-CLUSTER-IP', 'docker exec -it myk8s-control-plane iptables -t nat -S | grep KUBE-CLUSTER-IP'],
  evaluate({ snapshot }) {
    const clusterIPs = new Set([...expectedClusterIPs(snapshot.cluster).keys()].map(hostRoute));
    const failures: Finding[] = [];
    const perNode: Record<string, unknown> = {};
    let count = 0;
    for (const node of snapshot.nodes) {
      const entries = expectedEntries(snapshot, node);
      count = Math.max(count, [...entries.values()].reduce((n, e) => n + e.size, 0));
      perNode[node.name] = checkNode(node, entries, clusterIPs, failures);
    }
    return judge(
      this.id,
      failures,
      `the ipsets hold all ${count} service entries (${SET} and the sets of external IPs, LB IPs and NodePorts) and nat has no per-service chain or ClusterIP rule on all ${snapshot.nodes.length} nodes`,
      { expectedEntries: count, nodes: perNode },
    );
  },
};

/** kube-proxy's IPv6 sets are its IPv4 names with "KUBE-6-" (pkg/proxy/ipvs/ipset.go NewIPSet). */
const setName = (name: string, ip: string) => (familyOf(ip) === 6 ? name.replace('KUBE-', 'KUBE-6-') : name);

function expectedEntries(snapshot: Pick<Snapshot, 'cluster'>, node: NodeObservation): Entries {
  const out: Entries = new Map();
  const add = (set: string, entry: string, svc: string) => {
    if (!out.has(set)) out.set(set, new Map());
    out.get(set)!.set(entry, svc);
  };
  const services = new Map(snapshot.cluster.services.map((s) => [serviceKey(s), s]));
  const view = nodeView(snapshot, node);
  for (const vs of expectedVirtualServers(snapshot.cluster, view)) {
    for (const [set, entry] of entriesOf(vs, services.get(vs.service)!, view.node?.internalIP)) add(setName(set, vs.address), entry, vs.service);
  }
  for (const svc of snapshot.cluster.services) {
    // The health-check port is served for Services of type LoadBalancer with externalTrafficPolicy Local.
    if (svc.healthCheckNodePort !== undefined && svc.type === 'LoadBalancer' && svc.externalTrafficPolicy === 'Local') {
      add('KUBE-HEALTH-CHECK-NODE-PORT', String(svc.healthCheckNodePort), serviceKey(svc));
    }
  }
  return out;
}

/** The [set, entry] pairs proxier.go adds for one virtual server. */
function entriesOf(vs: ExpectedVirtualServer, svc: Service, nodeIP?: string): [string, string][] {
  const local = svc.externalTrafficPolicy === 'Local';
  const entry = ipsetEntry(vs);
  switch (vs.kind) {
    case 'clusterIP':
      return [[SET, entry]];
    case 'externalIP':
      return [[local ? 'KUBE-EXTERNAL-IP-LOCAL' : 'KUBE-EXTERNAL-IP', entry]];
    case 'loadBalancer': {
      // A 0.0.0.0/0 (or ::/0) source range means "allow any", as none (serviceport.go newBaseServiceInfo).
      const ranges = (svc.loadBalancerSourceRanges ?? []).map((r) => r.trim()).filter((r) => familyOf(r.split('/')[0]!) === familyOf(vs.address));
      const cidrs = ranges.some((r) => /\/0$/.test(r)) ? [] : ranges;
      // A range holding the node's own IP lets the node reach the LB IP too (proxier.go 1163-1182).
      const fromNode = nodeIP !== undefined && cidrs.some((c) => inCidr(nodeIP, c));
      return [
        ['KUBE-LOAD-BALANCER', entry],
        ...(local ? [['KUBE-LOAD-BALANCER-LOCAL', entry] as [string, string]] : []),
        ...(cidrs.length > 0 ? [['KUBE-LOAD-BALANCER-FW', entry] as [string, string]] : []),
        ...cidrs.map((c): [string, string] => ['KUBE-LOAD-BALANCER-SOURCE-CIDR', `${entry},${c}`]),
        ...(fromNode ? [['KUBE-LOAD-BALANCER-SOURCE-IP', `${entry},${vs.address}`] as [string, string]] : []),
      ];
    }
    case 'nodePort':
      return nodePortEntries(vs, local);
  }
}

/** TCP and UDP NodePorts are bitmap:port sets of the port alone; SCTP's is hash:ip,port over the node addresses. */
function nodePortEntries(vs: ExpectedVirtualServer, local: boolean): [string, string][] {
  const sets = vs.protocol === 'SCTP' ? ['KUBE-NODE-PORT-SCTP-HASH', 'KUBE-NODE-PORT-LOCAL-SCTP-HASH'] : [`KUBE-NODE-PORT-${vs.protocol}`, `KUBE-NODE-PORT-LOCAL-${vs.protocol}`];
  const entry = vs.protocol === 'SCTP' ? ipsetEntry(vs) : String(vs.port);
  return [[sets[0]!, entry], ...(local ? [[sets[1]!, entry] as [string, string]] : [])];
}

function checkNode(node: NodeObservation, entries: Entries, clusterIPs: Set<string>, failures: Finding[]): unknown {
  const set = node.ipsets.get(SET);
  if (set && set.type !== 'hash:ip,port') {
    failures.push({ node: node.name, object: `ipset ${SET}`, expected: 'hash:ip,port', seen: set.type, message: `${node.name}: ipset ${SET} has type ${set.type}, expected hash:ip,port` });
  }
  const missing: string[] = [];
  // KUBE-CLUSTER-IP must exist even with no entry: the nat rules match on it.
  for (const [name, wanted] of new Map([[SET, new Map<string, string>()], ...entries])) {
    const have = node.ipsets.get(name);
    if (!have) {
      failures.push({ node: node.name, object: `ipset ${name}`, expected: 'the set', seen: 'absent', message: `${node.name}: ipset ${name} does not exist` });
      continue;
    }
    for (const [e, svc] of wanted) {
      if (have.members.has(e)) continue;
      missing.push(`${name} ${e}`);
      failures.push({ node: node.name, object: `ipset ${name}`, address: e, expected: `member (${svc})`, seen: 'absent', message: `${node.name}: ipset ${name} lacks ${e} (${svc})` });
    }
  }
  // Stryker disable next-line ArrayDeclaration: equivalent, a made-up chain name in an absent nat table matches no per-service pattern.
  const natChains = [...(node.iptables.chains.get('nat') ?? [])];
  const perService = natChains.filter((c) => PER_SERVICE_CHAIN.test(c));
  for (const c of perService) failures.push({ node: node.name, object: `nat chain ${c}`, expected: 'absent', seen: 'present', message: `${node.name}: nat has per-service chain ${c}` });
  const nat = node.iptables.rules.filter((r) => r.table === 'nat');
  const byClusterIP = nat.filter((r) => r.destination !== undefined && clusterIPs.has(r.destination));
  for (const r of byClusterIP) failures.push({ node: node.name, object: `nat rule in ${r.chain}`, address: r.destination, expected: 'no rule per ClusterIP', seen: `-d ${r.destination}`, message: `${node.name}: nat rule in ${r.chain} matches ClusterIP -d ${r.destination}` });
  const setRules = nat.filter((r) => r.matchSets.includes(SET));
  if (setRules.length === 0) failures.push({ node: node.name, object: `nat --match-set ${SET}`, expected: 'a rule', seen: 'none', message: `${node.name}: no nat rule uses --match-set ${SET}` });
  return { sets: Object.fromEntries([...entries].map(([n, e]) => [n, e.size])), members: set?.members.size ?? 0, missing, perServiceChains: perService, clusterIPRules: byClusterIP.length, natRulesUsingSet: setRules.length };
}
