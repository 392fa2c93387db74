// The behaviours kube-proxy's modes are documented to differ in, each turned into a probe (collectors/
// migration-probes.ts). For each mode: which outcomes its documentation allows, in its words, and where it says so.
// A mode a source says nothing about has no entry: a difference there is never "as documented".
import type { ProbeOutcome, ProxyMode } from '../snapshot/model.js';

export interface Documented {
  /** Probe outcomes (ProbeOutcome), or for `scheduler` how the split looked: `round-robin` or `random`. */
  outcomes: readonly string[];
  says: string;
}

export interface Behaviour {
  title: string;
  documented: Partial<Record<ProxyMode, Documented>>;
  sources: readonly string[];
}

const KEP_3866 = 'https://github.com/kubernetes/enhancements/tree/master/keps/sig-network/3866-nftables-proxy';
const NOT_ANSWERED: readonly ProbeOutcome[] = ['refused', 'unreachable', 'timeout', 'closed'];
const ANSWERED: Documented = { outcomes: ['answered'], says: 'answered: every mode serves it' };
const NOT_REJECTED: readonly ProbeOutcome[] = ['unreachable', 'timeout', 'closed'];

export const BEHAVIOURS: Record<string, Behaviour> = {
  'unexposed-port': {
    title: "A ClusterIP on a port the Service doesn't expose",
    documented: {
      nftables: { outcomes: ['refused'], says: 'rejected: "Traffic to invalid ports on active cluster IPs will be rejected by the nftables proxy"' },
      iptables: { outcomes: NOT_REJECTED, says: 'no rule matches, so the packet follows the node\'s routes (the KEP lists the rejection as a change from iptables mode)' },
      ipvs: { outcomes: ['refused'], says: 'rejected by KUBE-IPVS-FILTER: new connections to an address in KUBE-IPVS-IPS that no service port matches get icmp-port-unreachable' },
    },
    sources: [`${KEP_3866}#behavior-of-service-ips`, 'https://github.com/kubernetes/kubernetes/pull/108460'],
  },
  'unallocated-clusterip': {
    title: 'An address in the service range that no Service holds',
    documented: {
      nftables: { outcomes: ['timeout'], says: 'dropped: "it will additionally drop traffic to unassigned cluster IPs" (MultiCIDRServiceAllocator, on by default since 1.33)' },
    },
    sources: [`${KEP_3866}#behavior-of-service-ips`],
  },
  'icmp-clusterip': {
    title: 'Ping to a ClusterIP',
    documented: {
      ipvs: { outcomes: ['no-reply'], says: 'KUBE-IPVS-FILTER rejects every new packet to a kube-ipvs0 address that no service port matches, ICMP included' },
      nftables: { outcomes: ['no-reply'], says: 'only service ports are DNATed; other traffic to a ClusterIP is rejected' },
    },
    sources: ['https://github.com/kubernetes/kubernetes/pull/108460', `${KEP_3866}#behavior-of-service-ips`],
  },
  'nodeport-localhost': {
    title: 'A NodePort on 127.0.0.1, from the node itself',
    documented: {
      iptables: { outcomes: ['answered'], says: 'supported for IPv4 by default (route_localnet=1)' },
      ipvs: { outcomes: NOT_ANSWERED, says: '"Kube-proxy in ipvs mode does not support this"' },
      nftables: { outcomes: NOT_ANSWERED, says: '"we should not try to support localhost NodePorts in the nftables backend"' },
    },
    sources: [`${KEP_3866}#localhost-nodeports`],
  },
  'nodeport-node-ip': {
    title: "A NodePort on a node's InternalIP, from outside the cluster",
    documented: {
      iptables: { outcomes: ['answered'], says: 'accepted on all local IPs' },
      ipvs: { outcomes: ['answered'], says: 'accepted on the node addresses kube-proxy finds' },
      nftables: { outcomes: ['answered'], says: 'accepted on the node\'s primary IPs (nodePortAddresses "primary" by default)' },
    },
    sources: [`${KEP_3866}#nodeport-addresses`],
  },
  'nodeport-other-address': {
    title: "A NodePort on a node address that isn't its InternalIP, from outside the cluster",
    documented: {
      iptables: { outcomes: ['answered'], says: '"iptables kube-proxy defaults to accepting NodePort connections on all local IPs"' },
      ipvs: { outcomes: ['answered'], says: 'with nodePortAddresses unset, a virtual server per local address' },
      nftables: { outcomes: NOT_ANSWERED, says: '"The nftables proxy should default to only opening NodePorts on a single interface" (the node\'s primary IPs)' },
    },
    sources: [`${KEP_3866}#nodeport-addresses`, 'https://kubernetes.io/docs/reference/networking/virtual-ips/#migrating-from-iptables-mode-to-nftables'],
  },
  'node-to-clusterip': {
    title: "A ClusterIP from a node's own network namespace",
    documented: { ipvs: ANSWERED, iptables: ANSWERED, nftables: ANSWERED },
    sources: ['https://kubernetes.io/docs/reference/networking/virtual-ips/'],
  },
  'node-to-nodeport': {
    title: "A NodePort on a node's InternalIP, from a node",
    documented: { ipvs: ANSWERED, iptables: ANSWERED, nftables: ANSWERED },
    sources: [`${KEP_3866}#nodeport-addresses`],
  },
  scheduler: {
    title: 'How new connections are spread over the endpoints',
    documented: {
      ipvs: { outcomes: ['round-robin'], says: 'the seed\'s scheduler rr: each new connection goes to the next real server' },
      iptables: { outcomes: ['random', 'round-robin'], says: 'each new connection picks an endpoint at random (an exactly even split can happen by chance)' },
      nftables: { outcomes: ['random', 'round-robin'], says: 'each new connection picks an endpoint at random (`numgen random`)' },
    },
    sources: ['https://kubernetes.io/docs/reference/networking/virtual-ips/', 'https://kubernetes.io/docs/reference/networking/virtual-ips/#proxy-mode-ipvs'],
  },
};
