// The snapshot contract (formatVersion 5; versions 1 to 4 are still read). cluster.json is the expected model;
// the per-node files are what the nodes really showed. Keep these shapes exactly: saved snapshots are re-judged
// later by `evaluate` and `compare`. Version 2 added `serving`/`terminating` per endpoint and
// nodes/<node>/proxy-mode.txt; version 3 added a port's `nodePort`, nodes/<node>/nft-ruleset.txt and probes.json; version 4 added the Service shapes beyond
// ClusterIP (type, externalIPs, load-balancer ingress and source ranges, traffic policies, session affinity),
// IPv6 endpoints, and arp.json probes of load-balancer IPs; version 5 added a probe's `repeat`, `backends` and
// `httpStatus` (probes.json), for session affinity and kube-proxy's health check server.

export const SNAPSHOT_FORMAT_VERSION = 5;
export const READABLE_FORMAT_VERSIONS: readonly number[] = [1, 2, 3, 4, 5];

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export type ProxyMode = 'ipvs' | 'iptables' | 'nftables';

export interface Endpoint {
  ip: string;
  port: number;
  ready: boolean;
  /** EndpointSlice conditions (formatVersion 2); absent in version 1, where they read as serving = ready. */
  serving?: boolean;
  terminating?: boolean;
  /** Topology hints the EndpointSlice controller set (formatVersion 2, optional): zones and nodes to serve. */
  zoneHints?: string[];
  nodeHints?: string[];
  nodeName?: string;
  pod?: string;
}

export interface ServicePort {
  name: string;
  protocol: Protocol;
  port: number;
  /** The port's NodePort, when the service has one (formatVersion 3, optional). */
  nodePort?: number;
  endpoints: Endpoint[];
}

export interface Service {
  namespace: string;
  name: string;
  /** `["None"]` for a headless service. */
  clusterIPs: string[];
  /** `Local`: each node uses only its own endpoints for the ClusterIP (formatVersion 2, optional; default Cluster). */
  internalTrafficPolicy?: 'Cluster' | 'Local';
  ports: ServicePort[];
  // formatVersion 4, all optional: absent reads as a ClusterIP Service without them.
  type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  externalIPs?: string[];
  /** status.loadBalancer.ingress as the load balancer (MetalLB, kube-vip, a cloud) published it. */
  loadBalancerIngress?: LoadBalancerIngress[];
  loadBalancerSourceRanges?: string[];
  externalTrafficPolicy?: 'Cluster' | 'Local';
  healthCheckNodePort?: number;
  /** Present for sessionAffinity ClientIP: its timeout (spec.sessionAffinityConfig.clientIP.timeoutSeconds). */
  sessionAffinity?: { clientIPTimeoutSeconds: number };
}

export interface LoadBalancerIngress {
  ip?: string;
  hostname?: string;
  /** `Proxy`: the load balancer proxies, so kube-proxy programs nothing for this IP (KEP-1860). */
  ipMode?: 'VIP' | 'Proxy';
}

export interface ClusterNode {
  name: string;
  internalIP: string;
  /** The node's topology.kubernetes.io/zone label (formatVersion 2, optional), for topology hints. */
  zone?: string;
}

export interface KubeProxyConfig {
  mode?: string;
  ipvs?: { scheduler?: string; strictARP?: boolean; [k: string]: unknown };
  [k: string]: unknown;
}

export interface ClusterJson {
  formatVersion: number;
  proxyMode: ProxyMode;
  kubeProxyConfig: KubeProxyConfig;
  nodes: ClusterNode[];
  services: Service[];
}

export interface TrafficJson {
  service: string;
  clusterIP: string;
  port: number;
  protocol: Protocol;
  clientPod: string;
  clientNode: string;
  responses: string[];
}

export interface ArpProbe {
  from: string;
  target: string;
  /** `loadBalancer` (formatVersion 4): an ingress IP a load balancer announces, the case strictARP exists for. */
  kind: 'clusterIP' | 'loadBalancer' | 'node';
  replies: number;
}

/** How one probe connection ended, as the client saw it. */
export type ProbeOutcome = 'answered' | 'refused' | 'unreachable' | 'timeout' | 'closed' | 'replied' | 'no-reply';
export const PROBE_OUTCOMES: readonly ProbeOutcome[] = ['answered', 'refused', 'unreachable', 'timeout', 'closed', 'replied', 'no-reply'];

/** One request of the migration probes (probes.json, formatVersion 3). */
export interface ProbeResult {
  /** `service-port`, or the id of a behaviour the modes are documented to differ in (helpers/compare/behaviours.ts). */
  behaviour: string;
  /** Stable across modes: the row both snapshots' results are matched by. */
  key: string;
  /** The pod, node or host the request came from, and the node it is on (absent for a host outside the cluster). */
  from: string;
  fromNode?: string;
  /** The client's own address, when known: a source address is compared as "the client's own" across clusters. */
  fromIP?: string;
  target: string;
  port?: number;
  protocol: Protocol | 'ICMP';
  /** `namespace/name` of the service a service-port probe addresses. */
  service?: string;
  outcome: ProbeOutcome;
  /** Who answered (whoami's Hostname), and the client's address as the backend saw it (whoami's RemoteAddr). */
  hostname?: string;
  /** A probe of `repeat` requests: every backend that answered one, sorted (formatVersion 5). */
  backends?: string[];
  /** An HTTP answer that is not whoami's (kube-proxy's health check server): its status code (formatVersion 5). */
  httpStatus?: number;
  /** How many new connections the probe made, one after another (default 1). */
  repeat?: number;
  remoteAddr?: string;
  /** What the client printed, for the evidence. */
  detail: string;
}

export interface StreamSpec {
  /** What the stream goes through, e.g. `ClusterIP` or `NodePort on myk8s-worker2`. */
  name: string;
  from: string;
  target: string;
  port: number;
}

export type StreamEventKind = 'connect-failed' | 'stall' | 'reset' | 'closed' | 'write-failed';
export const STREAM_EVENT_KINDS: readonly StreamEventKind[] = ['connect-failed', 'stall', 'reset', 'closed', 'write-failed'];

export interface StreamEvent {
  /** Epoch seconds on the client's clock. */
  t: number;
  kind: StreamEventKind;
  /** The line the client was on. */
  seq: number;
}

export interface StreamResult extends StreamSpec {
  /** The backend that named itself on connect. */
  backend?: string;
  opened?: number;
  ended?: number;
  /** Lines echoed back in order. */
  echoed: number;
  events: StreamEvent[];
}

/** streams.json (formatVersion 5, optional): long-lived connections held across a migration, and its steps. */
export interface StreamsJson {
  streams: StreamResult[];
  /** What the harness did when (the client's clock), to place each event: `switch myk8s-worker2 to nftables`. */
  marks: { t: number; label: string }[];
}

/** File names inside nodes/<node>/, as the format fixes them. */
export const NODE_FILES = {
  ipAddr: 'ip-addr.json',
  procIpvs: 'proc-net-ip_vs.txt',
  ipvsadm: 'ipvsadm.txt',
  ipset: 'ipset.txt',
  iptablesSave: 'iptables-save.txt',
  sysctl: 'sysctl.txt',
  /** What kube-proxy answers on 127.0.0.1:10249/proxyMode (formatVersion 2; absent when nothing answered). */
  proxyMode: 'proxy-mode.txt',
  /** `nft list ruleset` (formatVersion 3; absent where the node has no nftables). */
  nftRuleset: 'nft-ruleset.txt',
} as const;

export type NodeFileKey = keyof typeof NODE_FILES;

export function isHeadless(svc: Service): boolean {
  return svc.clusterIPs.length === 0 || svc.clusterIPs.every((ip) => ip === 'None' || ip === '');
}

/** The ClusterIPs of a non-headless service, of both families. */
export function clusterIPsOf(svc: Service): string[] {
  return isHeadless(svc) ? [] : svc.clusterIPs.filter((ip) => ip !== 'None' && ip !== '');
}

export function serviceKey(svc: Pick<Service, 'namespace' | 'name'>): string {
  return `${svc.namespace}/${svc.name}`;
}
