import { vsKey, type RealServer, type VirtualServer } from '../parsers/ipvs-table.js';
import type { NodeObservation } from '../snapshot/read.js';
import { expectedServicePorts, type ExpectedServicePort } from './expected.js';
import { judge, type Claim } from './types.js';

/** Every service port has a virtual server whose real servers are exactly the ready endpoints (Masq, weight ≥ 1). */
export const ipvsServicesMatchEndpoints: Claim = {
  id: 'ipvs-services-match-endpoints',
  title: 'IPVS virtual servers match the ready endpoints',
  seedCommands: ['docker exec -it myk8s-$i ipvsadm -Ln -t $CIP:$CPORT', 'kubectl get endpointslices -l kubernetes.io/service-name=svc-clusterip'],
  evaluate({ snapshot }) {
    // kube-proxy uses rr when the scheduler is left empty.
    const scheduler = snapshot.cluster.kubeProxyConfig.ipvs?.scheduler || 'rr';
    const ports = expectedServicePorts(snapshot.cluster);
    const failures: string[] = [];
    const perNode: Record<string, unknown> = {};
    for (const node of snapshot.nodes) {
      const before = failures.length;
      checkNode(node, ports, scheduler, failures);
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

function checkNode(node: NodeObservation, ports: ExpectedServicePort[], scheduler: string, failures: string[]): void {
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
