// The expected model, derived from cluster.json: what kube-proxy in IPVS mode must have programmed.
import { ipv4ClusterIPs, serviceKey, type ClusterJson, type Endpoint, type Protocol } from '../snapshot/model.js';

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

/** One entry per (ClusterIP, service port) of every non-headless service. */
export function expectedServicePorts(cluster: ClusterJson): ExpectedServicePort[] {
  return cluster.services.flatMap((svc) =>
    ipv4ClusterIPs(svc).flatMap((clusterIP) =>
      svc.ports.map((p) => ({
        service: serviceKey(svc),
        clusterIP,
        protocol: p.protocol,
        port: p.port,
        ...splitEndpoints(p.endpoints),
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

/**
 * kube-proxy's choice of endpoints (pkg/proxy/topology.go, KEP-1669): the ready ones; only when none is ready,
 * the serving-terminating ones. A version-1 snapshot has no serving condition: it reads as equal to ready.
 */
export function usableEndpoints(endpoints: Endpoint[]): Endpoint[] {
  const ready = endpoints.filter((e) => e.ready);
  return ready.length > 0 ? ready : endpoints.filter((e) => e.terminating === true && (e.serving ?? e.ready));
}

function splitEndpoints(endpoints: Endpoint[]): Pick<ExpectedServicePort, 'ready' | 'draining'> {
  const ready = unique(usableEndpoints(endpoints));
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
