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
const VIRTUAL_IPS = 'https://kubernetes.io/docs/reference/networking/virtual-ips';
const IPVS_PROXIER = 'https://github.com/kubernetes/kubernetes/blob/v1.34.4/pkg/proxy/ipvs/proxier.go';
const PRESERVE_SOURCE = 'https://kubernetes.io/docs/tasks/access-application-cluster/create-external-load-balancer/#preserving-the-client-source-ip';
const HEALTHY: Documented = { outcomes: ['HTTP 200'], says: 'kube-proxy answers 200 while the node has a local endpoint' };
const UNHEALTHY: Documented = { outcomes: ['HTTP 503'], says: 'kube-proxy answers 503 while the node has no local endpoint, so the load balancer skips it' };
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
  'etp-local-nodeport-without-local': {
    title: 'externalTrafficPolicy: Local, a NodePort on a node without a local endpoint, from outside',
    documented: {
      ipvs: { outcomes: NOT_ANSWERED, says: 'the virtual server gets every endpoint when the node has no local one (syncEndpoint), but KUBE-NODE-PORT-LOCAL-TCP returns before the masquerade mark: a remote endpoint answers from its own address on its own node, which the client never asked, so no answer it accepts comes back' },
      nftables: { outcomes: NOT_ANSWERED, says: '"If there are no node-local endpoints, the kube-proxy does not forward any traffic for the relevant Service"' },
      iptables: { outcomes: NOT_ANSWERED, says: '"If there are no node-local endpoints, the kube-proxy does not forward any traffic for the relevant Service"' },
    },
    sources: [`${VIRTUAL_IPS}#traffic-policies`, `${IPVS_PROXIER}#L1785-L1840`, `${IPVS_PROXIER}#L504-L520`],
  },
  'etp-local-health-with-local': {
    title: 'externalTrafficPolicy: Local, the health check node port of a node with a local endpoint',
    documented: { ipvs: HEALTHY, iptables: HEALTHY, nftables: HEALTHY },
    sources: [PRESERVE_SOURCE],
  },
  'etp-local-health-without-local': {
    title: 'externalTrafficPolicy: Local, the health check node port of a node without a local endpoint',
    documented: { ipvs: UNHEALTHY, iptables: UNHEALTHY, nftables: UNHEALTHY },
    sources: [PRESERVE_SOURCE],
  },
  'etp-local-pod-to-lb-ip': {
    title: 'externalTrafficPolicy: Local, a pod on a node without a local endpoint to the load-balancer IP',
    documented: {
      ipvs: { outcomes: ['answered'], says: 'the LB IP is bound on kube-ipvs0 and its virtual server has every endpoint when the node has none local (kk#93456)' },
      nftables: { outcomes: ['answered'], says: 'pod traffic to an external IP is short-circuited to the cluster endpoints ("short-circuit pod traffic"; the drop of kk#132456 is fixed in 1.34)' },
      iptables: { outcomes: ['answered'], says: 'pod traffic to an external IP is short-circuited to the cluster endpoints' },
    },
    sources: ['https://github.com/kubernetes/kubernetes/issues/93456', 'https://github.com/kubernetes/kubernetes/issues/132456', 'https://github.com/kubernetes/kubernetes/issues/124260'],
  },
  'session-affinity': {
    title: 'sessionAffinity: ClientIP, new connections from one client',
    documented: {
      ipvs: { outcomes: ['one backend'], says: 'the virtual server is persistent for timeoutSeconds: one real server per client' },
      nftables: { outcomes: ['one backend'], says: 'an affinity set per endpoint keeps the client on its endpoint for timeoutSeconds' },
      iptables: { outcomes: ['one backend'], says: 'the recent module keeps the client on its endpoint for timeoutSeconds' },
    },
    sources: [`${VIRTUAL_IPS}#session-affinity`, 'https://github.com/kubernetes/kubernetes/issues/89358'],
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
