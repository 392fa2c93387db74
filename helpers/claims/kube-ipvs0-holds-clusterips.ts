import { expectedClusterIPs } from './expected.js';
import { judge, type Claim } from './types.js';

/** kube-proxy binds every ClusterIP as a /32 on the dummy kube-ipvs0 so the kernel treats it as local. */
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
      perNode[node.name] = { operstate: dev.operstate, addresses: dev.ipv4.length, missing: missing.map(([ip]) => ip) };
    }
    return judge(
      this.id,
      failures,
      `all ${wanted.size} ClusterIPs are bound on kube-ipvs0 of all ${snapshot.nodes.length} nodes`,
      { expectedClusterIPs: wanted.size, nodes: perNode },
    );
  },
};
