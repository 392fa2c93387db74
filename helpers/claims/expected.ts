// The expected model, derived from cluster.json: what kube-proxy in IPVS mode must have programmed. It follows
// kube-proxy v1.34.4, pkg/proxy/ipvs/proxier.go (syncProxyRules, lines 977-1370; syncEndpoint, 1785-1840),
// pkg/proxy/serviceport.go (newBaseServiceInfo) and pkg/proxy/topology.go (CategorizeEndpoints). Each IPVS
// proxier serves one IP family (a dual-stack node runs one per family), so every address below is taken per family.
import { isIPv4 } from 'node:net';
import { clusterIPsOf, serviceKey, type ClusterJson, type ClusterNode, type Endpoint, type Protocol, type Service, type ServicePort } from '../snapshot/model.js';

/** Where a virtual server comes from: proxier.go builds one per ClusterIP, external IP, LB ingress IP and node IP. */
export type VirtualServerKind = 'clusterIP' | 'externalIP' | 'loadBalancer' | 'nodePort';

export interface ExpectedVirtualServer {
  kind: VirtualServerKind;
  service: string;
  protocol: Protocol;
  address: string;
  port: number;
  /** Where kube-proxy sends new connections (see endpointsFor), de-duplicated by ip:port. */
  ready: Endpoint[];
  /** Terminating endpoints kube-proxy does not send new connections to: it may keep them at weight 0 to drain. */
  draining: Endpoint[];
  /** sessionAffinity ClientIP: the virtual server is persistent with this timeout (proxier.go 1028-1031). */
  persistent?: number;
}

/** The per-node inputs kube-proxy reads from the node itself. */
export interface NodeView {
  node?: ClusterNode;
  /**
   * The node's own addresses on every interface but kube-ipvs0, loopback and IPv6 link-local left out
   * (netlink_linux.go GetAllLocalAddressesExcept, isValidForSet).
   */
  addresses?: string[];
}

export type Family = 4 | 6;
/** Only an IPv6 address has a colon (the snapshot's addresses are validated IPs). */
export const familyOf = (ip: string): Family => (ip.includes(':') ? 6 : 4);
/** The address as a one-host prefix, as kube-proxy binds it and iptables prints it: /32, or /128 for IPv6. */
export const hostRoute = (ip: string): string => `${ip}/${familyOf(ip) === 6 ? 128 : 32}`;

/** Per cluster.json, per node view: the claims of one evaluation ask for the same node's model more than once. */
const memo = new WeakMap<ClusterJson, Map<string, ExpectedVirtualServer[]>>();

/** Every virtual server kube-proxy on this node programs, with its real servers. Read-only: it may be shared. */
export function expectedVirtualServers(cluster: ClusterJson, view: NodeView = {}): readonly ExpectedVirtualServer[] {
  const byView = memo.get(cluster) ?? new Map<string, ExpectedVirtualServer[]>();
  memo.set(cluster, byView);
  const key = `${view.node?.name ?? ''}|${view.addresses?.join(',') ?? ''}`;
  let found = byView.get(key);
  if (!found) {
    found = cluster.services.flatMap((svc) => familiesOf(svc).flatMap((family) => svc.ports.flatMap((port) => virtualServersOf(svc, port, family, cluster, view))));
    byView.set(key, found);
  }
  return found;
}

/** The families kube-proxy serves a Service in: those of its ClusterIPs (a headless Service gets none). */
function familiesOf(svc: Service): Family[] {
  return [...new Set(clusterIPsOf(svc).map(familyOf))];
}

function virtualServersOf(svc: Service, port: ServicePort, family: Family, cluster: ClusterJson, view: NodeView): ExpectedVirtualServer[] {
  const ofFamily = (ips: string[]) => ips.filter((ip) => familyOf(ip) === family);
  const nodePorts = port.nodePort !== undefined ? nodePortAddresses(cluster, view, family) : [];
  const make = (kind: VirtualServerKind, address: string, p: number): ExpectedVirtualServer => ({
    kind,
    service: serviceKey(svc),
    protocol: port.protocol,
    address,
    port: p,
    ...splitEndpoints(endpointsFor(kind, svc, port, family, view.node), port.endpoints, family),
    ...(svc.sessionAffinity && { persistent: svc.sessionAffinity.clientIPTimeoutSeconds }),
  });
  return [
    ...ofFamily(clusterIPsOf(svc)).map((ip) => make('clusterIP', ip, port.port)),
    ...ofFamily(svc.externalIPs ?? []).map((ip) => make('externalIP', ip, port.port)),
    ...ofFamily(loadBalancerVIPs(svc)).map((ip) => make('loadBalancer', ip, port.port)),
    ...nodePorts.map((ip) => make('nodePort', ip, port.nodePort!)),
  ];
}

/** Ingress IPs kube-proxy programs: those in VIP mode (an absent ipMode is VIP); hostnames get nothing. */
export function loadBalancerVIPs(svc: Service): string[] {
  return (svc.loadBalancerIngress ?? []).filter((i) => i.ip && i.ipMode !== 'Proxy').map((i) => i.ip!);
}

/**
 * The node addresses a NodePort listens on (proxier.go 956-976): every node address of the family when
 * nodePortAddresses has no CIDR of it, else those inside its CIDRs; "primary" means the node's InternalIP.
 */
export function nodePortAddresses(cluster: ClusterJson, view: NodeView, family: Family): string[] {
  const own = (view.addresses ?? []).filter((ip) => familyOf(ip) === family);
  const configured = (cluster.kubeProxyConfig.nodePortAddresses as string[] | undefined) ?? [];
  if (configured.length === 1 && configured[0] === 'primary') return own.filter((ip) => ip === view.node?.internalIP);
  const cidrs = configured.filter((c) => familyOf(c.split('/')[0]!) === family);
  if (cidrs.length === 0) return own;
  return own.filter((ip) => cidrs.some((c) => inCidr(ip, c)));
}

/** Is `ip` inside `cidr` (same family)? */
export function inCidr(ip: string, cidr: string): boolean {
  const [base, len] = cidr.split('/') as [string, string | undefined];
  if (familyOf(ip) !== familyOf(base)) return false;
  const bits = Number(len ?? (isIPv4(base) ? 32 : 128));
  const a = addressBits(ip);
  const b = addressBits(base);
  return a.slice(0, bits) === b.slice(0, bits);
}

function addressBits(ip: string): string {
  if (isIPv4(ip)) return ip.split('.').map((o) => Number(o).toString(2).padStart(8, '0')).join('');
  return expandIPv6(ip).map((h) => parseInt(h, 16).toString(2).padStart(16, '0')).join('');
}

function expandIPv6(ip: string): string[] {
  const [head, tail = ''] = ip.split('::') as [string, string | undefined];
  const parts = (s: string | undefined) => (s ? s.split(':') : []);
  const h = parts(head);
  const t = parts(tail);
  return ip.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
}

const externallyAccessible = (svc: Service, port: ServicePort) =>
  port.nodePort !== undefined || loadBalancerVIPs(svc).length > 0 || (svc.externalIPs ?? []).length > 0;

/**
 * The endpoints kube-proxy on `node` gives one virtual server (proxier.go syncEndpoint with CategorizeEndpoints):
 * a ClusterIP uses the internal policy, external IPs, LB IPs and NodePorts the external one. A Local policy takes
 * the node's own endpoints, and when it has none, IPVS falls back to the cluster-wide ones (kubernetes#97081),
 * which exist only when the Service uses cluster endpoints at all (internal policy Cluster, or reachable from
 * outside). A version-1 snapshot reads serving as equal to ready.
 */
export function endpointsFor(kind: VirtualServerKind, svc: Service, port: ServicePort, family: Family, node?: ClusterNode): Endpoint[] {
  const endpoints = port.endpoints.filter((e) => familyOf(e.ip) === family);
  const internalLocal = svc.internalTrafficPolicy === 'Local';
  const reachable = externallyAccessible(svc, port);
  const externalLocal = svc.externalTrafficPolicy === 'Local' && reachable;
  const cluster = !internalLocal || reachable ? clusterEndpoints(endpoints, node) : [];
  const onlyLocal = kind === 'clusterIP' ? internalLocal : externalLocal;
  if (!onlyLocal) return cluster;
  const local = localEndpoints(endpoints, node);
  return local.length > 0 ? local : cluster;
}

/** The endpoints kube-proxy on the client's node sends a ClusterIP's new connections to. */
export function usableEndpoints(svc: Service, port: ServicePort, clusterIP: string, node?: ClusterNode): Endpoint[] {
  return endpointsFor('clusterIP', svc, port, familyOf(clusterIP), node);
}

const servingTerminating = (e: Endpoint) => e.terminating === true && (e.serving ?? e.ready);

/** Ready endpoints its topology hints leave the node (KEP-2433), and only when none is ready anywhere, serving-terminating ones (KEP-1669). */
function clusterEndpoints(endpoints: Endpoint[], node?: ClusterNode): Endpoint[] {
  const keep = topologyFilter(endpoints, node);
  const ready = endpoints.filter((e) => e.ready && keep(e));
  return ready.length > 0 ? ready : endpoints.filter(servingTerminating);
}

/** The node's own ready endpoints, else its own serving-terminating ones. */
function localEndpoints(endpoints: Endpoint[], node?: ClusterNode): Endpoint[] {
  const local = endpoints.filter((e) => e.nodeName !== undefined && e.nodeName === node?.name);
  const ready = local.filter((e) => e.ready);
  return ready.length > 0 ? ready : local.filter(servingTerminating);
}

/**
 * Topology hints apply only when every ready endpoint carries them and one is for this node (or its zone);
 * same-node hints win over same-zone ones. Otherwise every endpoint is available.
 */
function topologyFilter(endpoints: Endpoint[], node?: ClusterNode): (e: Endpoint) => boolean {
  const ready = endpoints.filter((e) => e.ready);
  if (!node || ready.length === 0) return () => true;
  const applies = (hints: (e: Endpoint) => string[] | undefined, mine: string | undefined) =>
    mine !== undefined && ready.every((e) => (hints(e)?.length ?? 0) > 0) && ready.some((e) => hints(e)!.includes(mine));
  if (applies((e) => e.nodeHints, node.name)) return (e) => e.nodeHints?.includes(node.name) === true;
  if (applies((e) => e.zoneHints, node.zone)) return (e) => e.zoneHints?.includes(node.zone!) === true;
  return () => true;
}

function splitEndpoints(used: Endpoint[], all: Endpoint[], family: Family): Pick<ExpectedVirtualServer, 'ready' | 'draining'> {
  const ready = unique(used);
  const taken = new Set(ready.map(addr));
  return { ready, draining: unique(all.filter((e) => familyOf(e.ip) === family && e.terminating === true && !taken.has(addr(e)))) };
}

const addr = (e: Endpoint) => `${e.ip}:${e.port}`;

function unique(endpoints: Endpoint[]): Endpoint[] {
  return [...new Map(endpoints.map((e) => [addr(e), e])).values()];
}

/** An address kube-proxy binds on kube-ipvs0: the Service that owns it, and as what. */
export interface BoundAddress {
  service: string;
  role: 'ClusterIP' | 'external IP' | 'LB IP';
}

/**
 * The addresses kube-proxy binds on kube-ipvs0: ClusterIPs, external IPs and VIP-mode LB ingress IPs of the
 * Service's families, except an external or LB IP the node already has on another interface (proxier.go 1083,
 * 1197: "We must not add the address to the dummy device if it exist on another interface").
 */
export function expectedBoundAddresses(cluster: ClusterJson, nodeAddresses: string[] = []): Map<string, BoundAddress> {
  const own = new Set(nodeAddresses);
  const out = new Map<string, BoundAddress>();
  for (const svc of cluster.services) {
    const service = serviceKey(svc);
    const families = new Set(familiesOf(svc));
    const outside = (ips: string[]) => ips.filter((ip) => families.has(familyOf(ip)) && !own.has(ip));
    for (const ip of outside(svc.externalIPs ?? [])) out.set(ip, { service, role: 'external IP' });
    for (const ip of outside(loadBalancerVIPs(svc))) out.set(ip, { service, role: 'LB IP' });
    for (const ip of clusterIPsOf(svc)) out.set(ip, { service, role: 'ClusterIP' });
  }
  return out;
}

/** Every ClusterIP of every non-headless service, with the service that owns it. */
export function expectedClusterIPs(cluster: ClusterJson): Map<string, string> {
  const out = new Map<string, string>();
  for (const svc of cluster.services) for (const ip of clusterIPsOf(svc)) out.set(ip, serviceKey(svc));
  return out;
}

/** The ClusterIP virtual servers alone (the seed's view), for the benchmark's synthetic tables. */
export function expectedServicePorts(cluster: ClusterJson, view: NodeView = {}): readonly ExpectedVirtualServer[] {
  return expectedVirtualServers(cluster, view).filter((vs) => vs.kind === 'clusterIP');
}

/** hash:ip,port entry as `ipset list` prints it. */
export function ipsetEntry(p: Pick<ExpectedVirtualServer, 'address' | 'protocol' | 'port'>): string {
  return `${p.address},${p.protocol.toLowerCase()}:${p.port}`;
}
