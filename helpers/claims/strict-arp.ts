import type { ArpProbe } from '../snapshot/model.js';
import { judge, type Claim } from './types.js';

const ARP_IGNORE = 'net.ipv4.conf.all.arp_ignore';
const ARP_ANNOUNCE = 'net.ipv4.conf.all.arp_announce';

/** strictARP is configured, the sysctls it implies are set on every node, and (if probed) no ClusterIP answers ARP. */
export const strictArp: Claim = {
  id: 'strict-arp',
  title: 'strictARP is set and takes effect',
  seedCommands: ['kubectl describe cm -n kube-system kube-proxy', 'docker exec myk8s-$i sysctl net.ipv4.conf.all.arp_ignore net.ipv4.conf.all.arp_announce'],
  evaluate({ snapshot }) {
    // Observed ARP replies come first: they show the setting failing to take effect, which matters most.
    const failures = snapshot.arp ? arpFailures(snapshot.arp) : [];
    if (snapshot.cluster.kubeProxyConfig.ipvs?.strictARP !== true) failures.push('kube-proxy config: ipvs.strictARP is not true');
    const sysctls: Record<string, unknown> = {};
    for (const node of snapshot.nodes) {
      const ignore = node.sysctl.get(ARP_IGNORE);
      const announce = node.sysctl.get(ARP_ANNOUNCE);
      sysctls[node.name] = { arp_ignore: ignore, arp_announce: announce };
      if (ignore !== '1') failures.push(`${node.name}: ${ARP_IGNORE} = ${ignore ?? 'absent'}, expected 1`);
      if (announce !== '2') failures.push(`${node.name}: ${ARP_ANNOUNCE} = ${announce ?? 'absent'}, expected 2`);
    }
    const arp = snapshot.arp;
    const probed = arp ? `; ${arp.filter((a) => a.kind === 'clusterIP').length} ClusterIPs got no ARP reply while a node IP did` : '; effect not probed (no arp.json)';
    return judge(this.id, failures, `strictARP is true and arp_ignore=1, arp_announce=2 on all ${snapshot.nodes.length} nodes${probed}`, {
      strictARP: snapshot.cluster.kubeProxyConfig.ipvs?.strictARP,
      sysctls,
      ...(arp && { arp }),
    });
  },
};

function arpFailures(arp: ArpProbe[]): string[] {
  const failures = arp
    .filter((a) => a.kind === 'clusterIP' && a.replies > 0)
    .map((p) => `ClusterIP ${p.target} answered ARP from ${p.from} (${p.replies} replies)`);
  const controls = arp.filter((a) => a.kind === 'node');
  if (!controls.some((a) => a.replies > 0)) {
    failures.push(`ARP probe invalid: no node IP (${controls.map((a) => a.target).join(', ') || 'none probed'}) answered, so silence proves nothing`);
  }
  return failures;
}
