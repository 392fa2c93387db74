// Lab scenarios, declared as values: one conforming cluster, one violation per claim, and a kind-like
// cluster whose nodes have no ipvsadm. Each violation changes REAL kernel state after kube-proxy-style
// programming (or, for strictARP, programs the cluster with strictARP off), and names the claim it must break
// and the words its failure message must contain.
import type { ClaimId } from '../claims/types.js';
import type { Service } from '../snapshot/model.js';

export interface LabScenario {
  name: string;
  title: string;
  /** The claim this scenario must make fail; absent for scenarios where all claims must pass. */
  breaks?: ClaimId;
  /** Substrings the failure message must contain: the node and the offending address or rule. */
  mustName?: string[];
  strictARP?: boolean;
  /** Bash run in the guest's root netns after programming: the violation itself. */
  violation?: string;
  /** Which services the iptables-mode baseline carries (default: the same as the cluster). */
  baselineServices?: (services: Service[]) => Service[];
  /** Collect without ipvsadm on the nodes, as on kind, leaving /proc/net/ip_vs the only IPVS source. */
  withoutIpvsadm?: boolean;
}

export const SCENARIOS: readonly LabScenario[] = [
  { name: 'conforming', title: 'conforming IPVS cluster: all six claims pass' },
  { name: 'proc-only', title: 'nodes without ipvsadm (as on kind): /proc/net/ip_vs alone, all six claims pass', withoutIpvsadm: true },
  {
    name: 'clusterip-missing-from-kube-ipvs0',
    title: 'a ClusterIP missing from one node’s kube-ipvs0',
    breaks: 'kube-ipvs0-holds-clusterips',
    mustName: ['myk8s-worker2', '10.200.1.245'],
    violation: 'ip -n myk8s-worker2 addr del 10.200.1.245/32 dev kube-ipvs0',
  },
  {
    name: 'stale-real-server',
    title: 'a stale extra real server on one node',
    breaks: 'ipvs-services-match-endpoints',
    mustName: ['myk8s-worker3', '10.10.3.99:80'],
    violation: 'ip netns exec myk8s-worker3 ipvsadm -a -t 10.200.1.245:9000 -r 10.10.3.99:80 -m -w 1',
  },
  {
    name: 'backend-quiesced',
    title: 'a ready backend quiesced to weight 0 on the client’s node',
    breaks: 'ipvs-rr-balanced',
    mustName: ['myk8s-control-plane', 'webpod3'],
    violation: 'ip netns exec myk8s-control-plane ipvsadm -e -t 10.200.1.245:9000 -r 10.10.3.2:80 -m -w 0',
  },
  {
    name: 'strict-arp-off',
    title: 'strictARP off: sysctls at 0 and real ARP replies for ClusterIPs',
    breaks: 'strict-arp',
    mustName: ['myk8s-control-plane', 'arp_ignore', 'answered ARP'],
    strictARP: false,
  },
  {
    name: 'leftover-iptables-chains',
    title: 'leftover KUBE-SVC-*/KUBE-SEP-* chains in IPVS mode',
    breaks: 'ipset-replaces-per-service-rules',
    mustName: ['myk8s-worker', 'KUBE-SVC-LEFTOVER', '10.200.1.245/32'],
    violation: [
      'ip netns exec myk8s-worker iptables-legacy -t nat -N KUBE-SVC-LEFTOVER0000000',
      'ip netns exec myk8s-worker iptables-legacy -t nat -N KUBE-SEP-LEFTOVER0000000',
      'ip netns exec myk8s-worker iptables-legacy -t nat -A KUBE-SERVICES -d 10.200.1.245/32 -p tcp --dport 9000 -j KUBE-SVC-LEFTOVER0000000',
    ].join('\n'),
  },
  {
    name: 'ipset-entry-missing',
    title: 'a KUBE-CLUSTER-IP entry missing',
    breaks: 'ipset-replaces-per-service-rules',
    mustName: ['myk8s-worker', '10.200.1.10,udp:53'],
    violation: 'ip netns exec myk8s-worker ipset del KUBE-CLUSTER-IP 10.200.1.10,udp:53',
  },
  {
    name: 'more-rules-than-baseline',
    title: 'IPVS rule set larger than an iptables-mode baseline that carries only the kubernetes service',
    breaks: 'fewer-iptables-rules-than-iptables-mode',
    mustName: ['IPVS mode', 'iptables mode'],
    baselineServices: (services) => services.filter((s) => s.name === 'kubernetes'),
  },
];
