import type { ArpProbe } from '../snapshot/model.js';
import { judge, type Claim, type Finding } from './types.js';

const ARP_IGNORE = 'net.ipv4.conf.all.arp_ignore';
const ARP_ANNOUNCE = 'net.ipv4.conf.all.arp_announce';
const TARGET_NAMES: Record<ArpProbe['kind'], string> = { clusterIP: 'ClusterIP', loadBalancer: 'LB IP', node: 'node IP' };

/**
 * strictARP is configured, the sysctls it implies are set on every node, and (if probed) no ClusterIP or LB IP
 * bound on kube-ipvs0 answers ARP. The LB IP is the case the setting exists for: with MetalLB or kube-vip in L2
 * mode only the announcing node may answer, and a node answering for every LB IP breaks that.
 */
export const strictArp: Claim = {
  id: 'strict-arp',
  title: 'strictARP is set and takes effect',
  seedCommands: ['kubectl describe cm -n kube-system kube-proxy', 'docker exec myk8s-$i sysctl net.ipv4.conf.all.arp_ignore net.ipv4.conf.all.arp_announce'],
  evaluate({ snapshot }) {
    // Observed ARP replies come first: they show the setting failing to take effect, which matters most.
    const failures: Finding[] = snapshot.arp ? arpFailures(snapshot.arp) : [];
    const strict = snapshot.cluster.kubeProxyConfig.ipvs?.strictARP;
    if (strict !== true) failures.push({ object: 'kube-proxy config ipvs.strictARP', expected: 'true', seen: String(strict ?? 'absent'), message: 'kube-proxy config: ipvs.strictARP is not true' });
    const sysctls: Record<string, unknown> = {};
    for (const node of snapshot.nodes) {
      const ignore = node.sysctl.get(ARP_IGNORE);
      const announce = node.sysctl.get(ARP_ANNOUNCE);
      sysctls[node.name] = { arp_ignore: ignore, arp_announce: announce };
      for (const [key, value, wanted] of [[ARP_IGNORE, ignore, '1'], [ARP_ANNOUNCE, announce, '2']] as const) {
        if (value !== wanted) failures.push({ node: node.name, object: `sysctl ${key}`, expected: wanted, seen: value ?? 'absent', message: `${node.name}: ${key} = ${value ?? 'absent'}, expected ${wanted}` });
      }
    }
    const arp = snapshot.arp;
    return judge(this.id, failures, `strictARP is true and arp_ignore=1, arp_announce=2 on all ${snapshot.nodes.length} nodes${arp ? probedSummary(arp) : '; effect not probed (no arp.json)'}`, {
      strictARP: strict,
      sysctls,
      ...(arp && { arp }),
    });
  },
};

function probedSummary(arp: ArpProbe[]): string {
  const count = (kind: ArpProbe['kind']) => new Set(arp.filter((a) => a.kind === kind).map((a) => a.target)).size;
  const lb = count('loadBalancer');
  return `; ${count('clusterIP')} ClusterIPs${lb > 0 ? ` and ${lb} LB IPs` : ''} got no ARP reply while a node IP did`;
}

function arpFailures(arp: ArpProbe[]): Finding[] {
  const failures = arp
    .filter((a) => a.kind !== 'node' && a.replies > 0)
    .map((p): Finding => ({
      node: p.from, object: `ARP for ${TARGET_NAMES[p.kind]}`, address: p.target, expected: 'no reply', seen: `${p.replies} replies`,
      message: `${TARGET_NAMES[p.kind]} ${p.target} answered ARP from ${p.from} (${p.replies} replies)`,
    }));
  const controls = arp.filter((a) => a.kind === 'node');
  if (!controls.some((a) => a.replies > 0)) {
    const probed = controls.map((a) => a.target).join(', ') || 'none probed';
    failures.push({ object: 'ARP probe control', expected: 'a node IP answers', seen: 'no reply', message: `ARP probe invalid: no node IP (${probed}) answered, so silence proves nothing` });
  }
  return failures;
}
