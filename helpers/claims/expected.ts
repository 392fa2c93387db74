// The expected model, derived from cluster.json: what kube-proxy in IPVS mode must have programmed.
import { ipv4ClusterIPs, serviceKey, type ClusterJson, type Endpoint, type Protocol } from '../snapshot/model.js';

export interface ExpectedServicePort {
  service: string;
  clusterIP: string;
  protocol: Protocol;
  port: number;
  /** Ready endpoints, de-duplicated by ip:port. */
  ready: Endpoint[];
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
        ready: uniqueReady(p.endpoints),
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

function uniqueReady(endpoints: Endpoint[]): Endpoint[] {
  const seen = new Map<string, Endpoint>();
  for (const e of endpoints) if (e.ready) seen.set(`${e.ip}:${e.port}`, e);
  return [...seen.values()];
}

export function ipsetEntry(p: Pick<ExpectedServicePort, 'clusterIP' | 'protocol' | 'port'>): string {
  return `${p.clusterIP},${p.protocol.toLowerCase()}:${p.port}`;
}
