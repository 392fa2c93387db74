import { vsKey, type RealServer, type VirtualServer } from '../parsers/ipvs-table.js';
import type { NodeObservation } from '../snapshot/read.js';
import { expectedServicePorts, type ExpectedServicePort } from './expected.js';
import { judge, type Claim } from './types.js';

/**
 * Every service port has a virtual server whose real servers are exactly the ready endpoints (Masq, weight ≥ 1),
 * and no virtual server sits on an address that is neither a current service port nor a node address (NodePorts).
 */
export const ipvsServicesMatchEndpoints: Claim = {
  id: 'ipvs-services-match-endpoints',
  title: 'IPVS virtual servers match the ready endpoints',
  seedCommands: ['docker exec -it myk8s-$i ipvsadm -Ln -t $CIP:$CPORT', 'kubectl get endpointslices -l kubernetes.io/service-name=svc-clusterip'],
  evaluate({ snapshot }) {
    // kube-proxy uses rr when the scheduler is left empty.
    const scheduler = snapshot.cluster.kubeProxyConfig.ipvs?.scheduler || 'rr';
    const ports = expectedServicePorts(snapshot.cluster);
    // Which endpoints a node uses depends on the node (internalTrafficPolicy Local, topology hints).
    const portsOn = (node: string) => expectedServicePorts(snapshot.cluster, node);
    const failures: string[] = [];
    const perNode: Record<string, unknown> = {};
    // Stryker disable next-line MethodExpression: equivalent, an empty internalIP never equals a virtual server's address.
    const nodeIPs = new Set(snapshot.cluster.nodes.map((n) => n.internalIP).filter((ip): ip is string => !!ip));
    for (const node of snapshot.nodes) {
      const before = failures.length;
      checkNode(node, portsOn(node.name), scheduler, nodeIPs, failures);
      perNode[node.name] = { virtualServers: node.ipvs.length, source: node.ipvsFile, violations: failures.length - before };
    }
    return judge(
      this.id,
      failures,
      `${ports.length} service ports have ${scheduler} virtual servers with exactly their ready endpoints on all ${snapshot.nodes.length} nodes`,
      { scheduler, expectedServicePorts: ports.length, nodes: perNode },
    );
  },
};

function checkNode(node: NodeObservation, ports: ExpectedServicePort[], scheduler: string, nodeIPs: Set<string>, failures: string[]): void {
  const table = new Map<string, VirtualServer>(node.ipvs.map((vs) => [vsKey(vs.protocol, vs.address, vs.port), vs]));
  if (!node.ipvsFile) {
    failures.push(`${node.name}: has no IPVS table (no /proc/net/ip_vs and no ipvsadm output)`);
    return;
  }
  for (const p of ports) {
    const where = `${node.name}: ${p.protocol} ${p.clusterIP}:${p.port} (${p.service})`;
    const vs = table.get(vsKey(p.protocol, p.clusterIP, p.port));
    if (!vs) {
      failures.push(`${where} has no virtual server`);
      continue;
    }
    if (vs.scheduler !== scheduler) failures.push(`${where} uses scheduler ${vs.scheduler}, expected ${scheduler}`);
    checkRealServers(vs.realServers, p, where, failures);
  }
  checkStale(node, ports, nodeIPs, failures);
}

/** A virtual server kube-proxy should have removed: not a current service port, and not on a node address. */
function checkStale(node: NodeObservation, ports: ExpectedServicePort[], nodeIPs: Set<string>, failures: string[]): void {
  const current = new Set(ports.map((p) => vsKey(p.protocol, p.clusterIP, p.port)));
  const kubeIpvs0 = new Set(node.interfaces.get('kube-ipvs0')?.ipv4.map((a) => a.split('/')[0]) ?? []);
  const own = new Set([...nodeIPs, ...[...node.interfaces.values()].flatMap((i) => i.ipv4.map((a) => a.split('/')[0]!)).filter((ip) => !kubeIpvs0.has(ip))]);
  // IPv6 virtual servers are out of this suite's (IPv4) scope; firewall-mark services have no address.
  const stale = node.ipvs.filter((vs) => vs.protocol !== 'FWM' && !vs.address.includes(':') && !current.has(vsKey(vs.protocol, vs.address, vs.port)) && !own.has(vs.address));
  for (const vs of stale) failures.push(`${node.name}: stale virtual server ${vs.protocol} ${vs.address}:${vs.port}, no current service port or node address`);
}

function checkRealServers(actual: RealServer[], p: ExpectedServicePort, where: string, failures: string[]): void {
  const byAddr = new Map(actual.map((rs) => [`${rs.address}:${rs.port}`, rs]));
  const wanted = new Set(p.ready.map((e) => `${e.ip}:${e.port}`));
  // kube-proxy's graceful termination keeps a terminating endpoint's real server at weight 0 while connections drain.
  const draining = new Set(p.draining.map((e) => `${e.ip}:${e.port}`));
  for (const addr of wanted) {
    const rs = byAddr.get(addr);
    if (!rs) failures.push(`${where} lacks ready endpoint ${addr}`);
    else if (rs.forward !== 'Masq') failures.push(`${where} forwards to ${addr} by ${rs.forward}, expected Masq`);
    else if (rs.weight < 1) failures.push(`${where} has ${addr} at weight ${rs.weight}, expected ≥ 1`);
  }
  for (const [addr, rs] of byAddr) {
    if (wanted.has(addr)) continue;
    if (!draining.has(addr)) failures.push(`${where} has extra real server ${addr} that is not a ready endpoint`);
    else if (rs.weight !== 0) failures.push(`${where} sends new connections to terminating endpoint ${addr} (weight ${rs.weight}, expected 0 while it drains)`);
  }
}
