// The expected model, derived from cluster.json: what kube-proxy in IPVS mode must have programmed.
import { ipv4ClusterIPs, serviceKey, type ClusterJson, type ClusterNode, type Endpoint, type Protocol, type Service } from '../snapshot/model.js';

export interface ExpectedServicePort {
  service: string;
  clusterIP: string;
  protocol: Protocol;
  port: number;
  /** Where kube-proxy sends new connections (see usableEndpoints), de-duplicated by ip:port. */
  ready: Endpoint[];
  /** Terminating endpoints kube-proxy does not send new connections to: it may keep them at weight 0 to drain. */
  draining: Endpoint[];
}

/**
 * One entry per (ClusterIP, service port) of every non-headless service, with the endpoints kube-proxy on `node`
 * uses for it (without a node: as if no topology or locality applied).
 */
export function expectedServicePorts(cluster: ClusterJson, nodeName?: string): ExpectedServicePort[] {
  const node = cluster.nodes.find((n) => n.name === nodeName);
  return cluster.services.flatMap((svc) =>
    ipv4ClusterIPs(svc).flatMap((clusterIP) =>
      svc.ports.map((p) => ({
        service: serviceKey(svc),
        clusterIP,
        protocol: p.protocol,
        port: p.port,
        ...splitEndpoints(svc, p.endpoints, node),
      })),
    ),
  );
}

/** Every IPv4 ClusterIP of every non-headless service, with the service that owns it. */
export function expectedClusterIPs(cluster: ClusterJson): Map<string, string> {
  const out = new Map<string, string>();
  for (const svc of cluster.services) for (const ip of ipv4ClusterIPs(svc)) out.set(ip, serviceKey(svc));
  return out;
}

const servingTerminating = (e: Endpoint) => e.terminating === true && (e.serving ?? e.ready);

/**
 * The endpoints kube-proxy on `node` sends a ClusterIP's new connections to, as pkg/proxy/topology.go
 * (CategorizeEndpoints) decides: with internalTrafficPolicy Local, the node's own ready endpoints, else its own
 * serving-terminating ones; otherwise the ready endpoints its topology hints leave it (KEP-2433), and only when
 * there are none, the serving-terminating ones (KEP-1669). A version-1 snapshot reads serving as equal to ready.
 */
export function usableEndpoints(endpoints: Endpoint[], svc?: Pick<Service, 'internalTrafficPolicy'>, node?: ClusterNode): Endpoint[] {
  if (svc?.internalTrafficPolicy === 'Local') {
    const local = endpoints.filter((e) => e.nodeName !== undefined && e.nodeName === node?.name);
    const ready = local.filter((e) => e.ready);
    return ready.length > 0 ? ready : local.filter(servingTerminating);
  }
  const keep = topologyFilter(endpoints, node);
  const ready = endpoints.filter((e) => e.ready && keep(e));
  return ready.length > 0 ? ready : endpoints.filter(servingTerminating);
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

function splitEndpoints(svc: Service, endpoints: Endpoint[], node?: ClusterNode): Pick<ExpectedServicePort, 'ready' | 'draining'> {
  const ready = unique(usableEndpoints(endpoints, svc, node));
  const used = new Set(ready.map(addr));
  return { ready, draining: unique(endpoints.filter((e) => e.terminating === true && !used.has(addr(e)))) };
}

const addr = (e: Endpoint) => `${e.ip}:${e.port}`;

function unique(endpoints: Endpoint[]): Endpoint[] {
  return [...new Map(endpoints.map((e) => [addr(e), e])).values()];
}

export function ipsetEntry(p: Pick<ExpectedServicePort, 'clusterIP' | 'protocol' | 'port'>): string {
  return `${p.clusterIP},${p.protocol.toLowerCase()}:${p.port}`;
}
