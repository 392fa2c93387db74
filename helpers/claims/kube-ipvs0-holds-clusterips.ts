import { expectedClusterIPs } from './expected.js';
import { judge, type Claim } from './types.js';

/**
 * kube-proxy binds every ClusterIP as a /32 on the dummy kube-ipvs0 so the kernel treats it as local, and removes
 * an address when its service goes: the device holds exactly the current ClusterIPs, each as a /32.
 */
export const kubeIpvs0HoldsClusterIPs: Claim = {
  id: 'kube-ipvs0-holds-clusterips',
  title: 'kube-ipvs0 holds every ClusterIP on every node',
  seedCommands: ['docker exec -it myk8s-$i ip -br -c addr show kube-ipvs0', 'kubectl get svc,ep -A'],
  evaluate({ snapshot }) {
    const wanted = expectedClusterIPs(snapshot.cluster);
    const failures: string[] = [];
    const perNode: Record<string, unknown> = {};
    for (const node of snapshot.nodes) {
      const dev = node.interfaces.get('kube-ipvs0');
      if (!dev) {
        failures.push(`${node.name}: has no kube-ipvs0 interface`);
        continue;
      }
      // The device stays DOWN by design (kube-proxy never brings it up), so only addresses are checked.
      const bound = new Set(dev.ipv4.map((a) => a.split('/')[0]));
      const missing = [...wanted].filter(([ip]) => !bound.has(ip));
      for (const [ip, svc] of missing) failures.push(`${node.name}: kube-ipvs0 lacks ClusterIP ${ip} (${svc})`);
      const extra = dev.ipv4.filter((a) => !wanted.has(a.split('/')[0]!));
      for (const a of extra) failures.push(`${node.name}: kube-ipvs0 holds stale address ${a}, the ClusterIP of no current service`);
      const wide = dev.ipv4.filter((a) => wanted.has(a.split('/')[0]!) && !a.endsWith('/32'));
      for (const a of wide) failures.push(`${node.name}: kube-ipvs0 holds ${a}, expected ${a.split('/')[0]}/32`);
      perNode[node.name] = { operstate: dev.operstate, addresses: dev.ipv4.length, missing: missing.map(([ip]) => ip), stale: extra, notSlash32: wide };
    }
    return judge(
      this.id,
      failures,
      `kube-ipvs0 holds exactly the ${wanted.size} ClusterIPs, each as a /32, on all ${snapshot.nodes.length} nodes`,
      { expectedClusterIPs: wanted.size, nodes: perNode },
    );
  },
};
