import { expectedBoundAddresses, hostRoute } from './expected.js';
import { dummyAddresses, nodeAddresses, withoutPrefix } from './node-view.js';
import { judge, type Claim, type Finding } from './types.js';

/**
 * kube-proxy binds every ClusterIP, external IP and VIP-mode LB ingress IP on the dummy kube-ipvs0 (a /32, or a
 * /128 for IPv6) so the kernel treats it as local, and removes an address when its service goes: the device holds
 * exactly those addresses. An external or LB IP the node has on another interface is not bound (proxier.go 1083).
 */
export const kubeIpvs0HoldsClusterIPs: Claim = {
  id: 'kube-ipvs0-holds-clusterips',
  title: 'kube-ipvs0 holds every ClusterIP on every node',
  seedCommands: ['docker exec -it myk8s-$i ip -br -c addr show kube-ipvs0', 'kubectl get svc,ep -A'],
  evaluate({ snapshot }) {
    const failures: Finding[] = [];
    const perNode: Record<string, unknown> = {};
    let wantedCount = 0;
    for (const node of snapshot.nodes) {
      const wanted = expectedBoundAddresses(snapshot.cluster, nodeAddresses(node));
      wantedCount = Math.max(wantedCount, wanted.size);
      const bound = dummyAddresses(node);
      if (!bound) {
        failures.push({ node: node.name, object: 'kube-ipvs0', expected: 'the dummy device', seen: 'absent', message: `${node.name}: has no kube-ipvs0 interface` });
        continue;
      }
      // The device stays DOWN by design (kube-proxy never brings it up), so only addresses are checked.
      const ips = new Set(bound.map(withoutPrefix));
      const missing = [...wanted].filter(([ip]) => !ips.has(ip));
      for (const [ip, { service, role }] of missing) {
        failures.push({ node: node.name, object: 'kube-ipvs0', address: ip, expected: `bound (${role} of ${service})`, seen: 'absent', message: `${node.name}: kube-ipvs0 lacks ${role} ${ip} (${service})` });
      }
      const extra = bound.filter((a) => !wanted.has(withoutPrefix(a)));
      for (const a of extra) {
        failures.push({ node: node.name, object: 'kube-ipvs0', address: a, expected: 'absent', seen: 'bound', message: `${node.name}: kube-ipvs0 holds stale address ${a}, the address of no current service` });
      }
      const wide = bound.filter((a) => wanted.has(withoutPrefix(a)) && a !== hostRoute(withoutPrefix(a)));
      for (const a of wide) {
        failures.push({ node: node.name, object: 'kube-ipvs0', address: a, expected: hostRoute(withoutPrefix(a)), seen: a, message: `${node.name}: kube-ipvs0 holds ${a}, expected ${hostRoute(withoutPrefix(a))}` });
      }
      perNode[node.name] = { expected: wanted.size, addresses: bound.length, missing: missing.map(([ip]) => ip), stale: extra, notHostPrefix: wide };
    }
    return judge(
      this.id,
      failures,
      `kube-ipvs0 holds exactly the ${wantedCount} service addresses (ClusterIPs, external and LB IPs), each as a /32 or /128, on all ${snapshot.nodes.length} nodes`,
      { expectedAddresses: wantedCount, nodes: perNode },
    );
  },
};

