import { vsKey, type RealServer, type VirtualServer } from '../parsers/ipvs-table.js';
import type { NodeObservation } from '../snapshot/read.js';
import { expectedVirtualServers, type ExpectedVirtualServer } from './expected.js';
import { nodeView } from './node-view.js';
import { judge, type Claim, type Finding } from './types.js';

/**
 * Every virtual server kube-proxy programs (ClusterIP, external IP, LB ingress IP, NodePort on each node address)
 * exists with the scheduler, persistence and exactly the real servers it must have (Masq, weight ≥ 1), and no
 * other virtual server is left.
 */
export const ipvsServicesMatchEndpoints: Claim = {
  id: 'ipvs-services-match-endpoints',
  title: 'IPVS virtual servers match the ready endpoints',
  seedCommands: ['docker exec -it myk8s-$i ipvsadm -Ln -t $CIP:$CPORT', 'kubectl get endpointslices -l kubernetes.io/service-name=svc-clusterip'],
  evaluate({ snapshot }) {
    // kube-proxy uses rr when the scheduler is left empty.
    const scheduler = snapshot.cluster.kubeProxyConfig.ipvs?.scheduler || 'rr';
    const failures: Finding[] = [];
    const perNode: Record<string, unknown> = {};
    let expected = 0;
    for (const node of snapshot.nodes) {
      const before = failures.length;
      // Which endpoints and addresses a node uses depends on the node (traffic policies, topology, its addresses).
      const wanted = expectedVirtualServers(snapshot.cluster, nodeView(snapshot, node));
      expected = Math.max(expected, wanted.length);
      checkNode(node, wanted, scheduler, failures);
      perNode[node.name] = { expected: wanted.length, virtualServers: node.ipvs.length, kinds: countKinds(wanted), source: node.ipvsFile, ...(node.ipvsNote && { note: node.ipvsNote }), violations: failures.length - before };
    }
    return judge(
      this.id,
      failures,
      `${expected} virtual servers (ClusterIPs, external and LB IPs, NodePorts) use ${scheduler} with exactly their endpoints on all ${snapshot.nodes.length} nodes`,
      { scheduler, expectedVirtualServers: expected, nodes: perNode },
    );
  },
};

function countKinds(wanted: readonly ExpectedVirtualServer[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const vs of wanted) out[vs.kind] = (out[vs.kind] ?? 0) + 1;
  return out;
}

const describe = (vs: { protocol: string; address: string; port: number }) =>
  `${vs.protocol} ${vs.address.includes(':') ? `[${vs.address}]` : vs.address}:${vs.port}`;

function checkNode(node: NodeObservation, wanted: readonly ExpectedVirtualServer[], scheduler: string, failures: Finding[]): void {
  if (!node.ipvsFile) {
    failures.push({ node: node.name, object: 'IPVS table', expected: 'a table', seen: 'none', message: `${node.name}: has no IPVS table (no /proc/net/ip_vs and no ipvsadm output)` });
    return;
  }
  const table = new Map<string, VirtualServer>(node.ipvs.map((vs) => [vsKey(vs.protocol, vs.address, vs.port), vs]));
  for (const p of wanted) {
    // Built only for a violation: a big table has tens of thousands of virtual servers that pass.
    const add = (expected: string, seen: string, what: string) => {
      const where = `${node.name}: ${p.kind === 'clusterIP' ? '' : `${p.kind} `}${describe(p)} (${p.service})`;
      failures.push({ node: node.name, object: `${p.kind} virtual server ${describe(p)} (${p.service})`, address: `${p.address}:${p.port}`, expected, seen, message: `${where} ${what}` });
    };
    const vs = table.get(vsKey(p.protocol, p.address, p.port));
    if (!vs) {
      add('present', 'absent', 'has no virtual server');
      continue;
    }
    if (vs.scheduler !== scheduler) add(scheduler, vs.scheduler, `uses scheduler ${vs.scheduler}, expected ${scheduler}`);
    if (!persistenceMatches(vs, p.persistent)) add(persistence(p.persistent), seenPersistence(vs), `is ${seenPersistence(vs)}, expected ${persistence(p.persistent)}`);
    checkRealServers(vs.realServers, p, add);
  }
  checkStale(node, wanted, failures);
}

const persistence = (timeout?: number) => (timeout === undefined ? 'not persistent' : `persistent ${timeout}`);
const seenPersistence = (vs: VirtualServer) => (vs.persistentTicks !== undefined ? `persistent ${vs.persistentTicks} jiffies` : persistence(vs.persistent));

/** The kernel's possible HZ values (CONFIG_HZ): a /proc timeout in jiffies is the seconds times one of them. */
const KERNEL_HZ = [100, 250, 300, 1000];

function persistenceMatches(vs: VirtualServer, seconds?: number): boolean {
  if (seconds === undefined) return vs.persistent === undefined && vs.persistentTicks === undefined;
  if (vs.persistentTicks !== undefined) return KERNEL_HZ.some((hz) => vs.persistentTicks === seconds * hz);
  return vs.persistent === seconds;
}

/** A virtual server kube-proxy should have removed, or never made: no current Service has it on this node. */
function checkStale(node: NodeObservation, wanted: readonly ExpectedVirtualServer[], failures: Finding[]): void {
  const current = new Set(wanted.map((p) => vsKey(p.protocol, p.address, p.port)));
  // Firewall-mark services have no address; kube-proxy never makes them.
  const stale = node.ipvs.filter((vs) => vs.protocol !== 'FWM' && !current.has(vsKey(vs.protocol, vs.address, vs.port)));
  for (const vs of stale) {
    failures.push({
      node: node.name, object: `virtual server ${describe(vs)}`, address: `${vs.address}:${vs.port}`, expected: 'absent', seen: 'present',
      message: `${node.name}: stale virtual server ${vs.protocol} ${vs.address}:${vs.port}, no current Service has it on this node`,
    });
  }
}

type Add = (expected: string, seen: string, what: string) => void;

function checkRealServers(actual: RealServer[], p: ExpectedVirtualServer, add: Add): void {
  const key = (a: string, port: number) => (a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`);
  const byAddr = new Map(actual.map((rs) => [key(rs.address, rs.port), rs]));
  const wanted = new Set(p.ready.map((e) => key(e.ip, e.port)));
  // kube-proxy's graceful termination keeps a terminating endpoint's real server at weight 0 while connections drain.
  const draining = new Set(p.draining.map((e) => key(e.ip, e.port)));
  for (const addr of wanted) {
    const rs = byAddr.get(addr);
    if (!rs) add(`real server ${addr}`, 'absent', `lacks ready endpoint ${addr}`);
    else if (rs.forward !== 'Masq') add(`${addr} by Masq`, rs.forward, `forwards to ${addr} by ${rs.forward}, expected Masq`);
    else if (rs.weight < 1) add(`${addr} at weight ≥ 1`, `weight ${rs.weight}`, `has ${addr} at weight ${rs.weight}, expected ≥ 1`);
  }
  for (const [addr, rs] of byAddr) {
    if (wanted.has(addr)) continue;
    if (!draining.has(addr)) add('no such real server', `real server ${addr}`, `has extra real server ${addr} that is not a ready endpoint`);
    else if (rs.weight !== 0) add(`${addr} at weight 0`, `weight ${rs.weight}`, `sends new connections to terminating endpoint ${addr} (weight ${rs.weight}, expected 0 while it drains)`);
  }
}
