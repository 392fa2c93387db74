// The migration probes: real requests whose outcomes are compared between proxy modes. Every service port is
// asked once from net-pod (whoami answers with the client's address as the backend saw it), and each behaviour
// the modes are documented to differ in gets its own request. One exec per client: the requests run in parallel
// inside one shell script, each bounded by `timeout`, and print framed blocks that parse-probe-output reads.
import { isIPv4 } from 'node:net';
import { runOk, shellQuote, type Exec } from '../exec/exec.js';
import { parseProbeBlocks, PROBE_MARK } from '../parsers/probe-output.js';
import { clusterIPsOf, serviceKey, type ClusterJson, type ProbeResult, type Service } from '../snapshot/model.js';

/**
 * Each request's limit; a dropped packet costs this long. Generous: every request of a client starts at once, and
 * in the lab's UML guest, under CI load, 3 s was once too short for an answer that came (a spawn there costs 0.3 s).
 */
const PROBE_TIMEOUT_S = 10;
export const WHOAMI_REQUEST_PATH = '/cgi-bin/whoami';
/** id 0x1234, recursion desired, one question: `.` A IN. */
const DNS_QUERY = '\\x12\\x34\\x01\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x01\\x00\\x01';

export type ProbeTarget = Omit<ProbeResult, 'outcome' | 'hostname' | 'remoteAddr' | 'detail' | 'backends' | 'httpStatus'> & {
  /** A plain HTTP server whose status is the answer (kube-proxy's health check server), not whoami. */
  readsStatus?: boolean;
};

export interface ProbeSites {
  /** The pod every ClusterIP request comes from, and its node (where localhost NodePorts are tried). */
  clientPod: string;
  clientNode: string;
  /** The client pod's own address, so the backend's view of it compares across clusters whose pod IPs differ. */
  clientPodIP?: string;
  /** A host on the node network outside the cluster (the seed's mypc). */
  outside: string;
  /** The node whose addresses NodePorts are tried on from outside, and an address of it that is not its InternalIP. */
  nodePortNode: { name: string; internalIP: string; otherIP?: string };
  /** The service the ClusterIP behaviours are tried on. */
  service: { clusterIP: string; port: number };
  /** A port that service does not expose. */
  unexposedPort: number;
  /**
   * An address in the service range that no service holds, probed only where nothing can route it off the machine
   * (the lab's closed namespaces, which its presence marks as closed). On kind and real clusters IPVS mode routes it
   * out of the node, through the host's NAT, to the user's network: there it is never sent.
   */
  unallocatedIP?: string;
  /**
   * Nodes that each try the service's ClusterIP and every listed node's NodePort from their own network namespace:
   * while a migration is under way, node by node, every path must keep answering whatever mode each node runs.
   */
  everyNode?: NodeRef[];
  /**
   * An externalTrafficPolicy: Local Service (a NodePort or LoadBalancer with a healthCheckNodePort), a node with a
   * local endpoint and one without, and the outside client's own address (to see whether the source is kept).
   */
  externalLocal?: { service: string; withLocal: NodeRef; withoutLocal: NodeRef; outsideIP: string };
  /** A sessionAffinity: ClientIP Service the client pod opens `requests` new connections to, one after another. */
  affinity?: { service: string; requests: number };
}

export interface NodeRef {
  name: string;
  internalIP: string;
}

type ProbeFrom = Pick<ProbeTarget, 'from' | 'fromNode' | 'fromIP'>;

/** One TCP request for a behaviour, keyed by the behaviour's id. */
const tcp = (behaviour: string, from: ProbeFrom, target: string, port: number): ProbeTarget => ({ behaviour, key: behaviour, ...from, target, port, protocol: 'TCP' });

/** Modes that reject a ClusterIP's unexposed port on the client's node, so the request never leaves it. */
const REJECTS_UNEXPOSED_PORTS = ['ipvs', 'nftables'];

/**
 * One request per IPv4 service port (TCP and UDP), then one per behaviour; keys match across modes. `clientMode` is
 * what the client node's kube-proxy answered on /proxyMode (else the configured mode): in iptables mode nothing
 * rejects an unexposed port and the request would follow the node's default route, possibly off the machine, so
 * it is planned there only in a closed network (the lab's, which has `unallocatedIP`).
 */
export function planMigrationProbes(cluster: ClusterJson, s: ProbeSites, clientMode: string = cluster.proxyMode): ProbeTarget[] {
  const pod = { from: s.clientPod, fromNode: s.clientNode, ...(s.clientPodIP && { fromIP: s.clientPodIP }) };
  const ports: ProbeTarget[] = cluster.services.flatMap((svc) => {
    const ip = clusterIPsOf(svc).find((ip) => isIPv4(ip));
    if (!ip) return [];
    return svc.ports
      .filter((p) => p.protocol === 'TCP' || p.protocol === 'UDP')
      .map((p) => ({ behaviour: 'service-port', key: `${serviceKey(svc)} ${p.port}/${p.protocol}`, ...pod, target: ip, port: p.port, protocol: p.protocol, service: serviceKey(svc) }));
  });
  const nodePort = cluster.services.flatMap((svc) => svc.ports).find((p) => p.nodePort !== undefined)?.nodePort;
  const behaviours: ProbeTarget[] = [
    ...(s.unallocatedIP !== undefined || REJECTS_UNEXPOSED_PORTS.includes(clientMode) ? [tcp('unexposed-port', pod, s.service.clusterIP, s.unexposedPort)] : []),
    ...(s.unallocatedIP === undefined ? [] : [tcp('unallocated-clusterip', pod, s.unallocatedIP, s.service.port)]),
    { behaviour: 'icmp-clusterip', key: 'icmp-clusterip', ...pod, target: s.service.clusterIP, protocol: 'ICMP' },
  ];
  if (nodePort !== undefined) {
    const outside = { from: s.outside };
    behaviours.push(tcp('nodeport-localhost', { from: s.clientNode, fromNode: s.clientNode }, '127.0.0.1', nodePort), tcp('nodeport-node-ip', outside, s.nodePortNode.internalIP, nodePort));
    if (s.nodePortNode.otherIP) behaviours.push(tcp('nodeport-other-address', outside, s.nodePortNode.otherIP, nodePort));
  }
  return [...ports, ...behaviours, ...nodeToNodeProbes(s, nodePort), ...externalLocalProbes(cluster, s), ...affinityProbes(cluster, s, pod)];
}

function serviceNamed(cluster: ClusterJson, key: string): Service {
  const svc = cluster.services.find((x) => serviceKey(x) === key);
  if (!svc) throw new Error(`migration probes: no Service ${key} in the cluster`);
  return svc;
}

/**
 * externalTrafficPolicy: Local from outside to a node with a local endpoint (answered, the client's own address
 * kept) and to one without; the health check node port on both; and a pod on the node without a local endpoint
 * to the load-balancer IP.
 */
function externalLocalProbes(cluster: ClusterJson, s: ProbeSites): ProbeTarget[] {
  const e = s.externalLocal;
  if (!e) return [];
  const svc = serviceNamed(cluster, e.service);
  const nodePort = svc.ports[0]?.nodePort;
  const lbIP = svc.loadBalancerIngress?.find((i) => i.ip)?.ip;
  if (nodePort === undefined || svc.healthCheckNodePort === undefined) throw new Error(`migration probes: ${e.service} has no node port or health check node port`);
  const outside = { from: s.outside, fromIP: e.outsideIP };
  const probes: ProbeTarget[] = [
    { ...tcp('service-port', outside, e.withLocal.internalIP, nodePort), key: `${e.service} NodePort on ${e.withLocal.name} (a local endpoint), from outside`, service: e.service },
    tcp('etp-local-nodeport-without-local', outside, e.withoutLocal.internalIP, nodePort),
    { ...tcp('etp-local-health-with-local', outside, e.withLocal.internalIP, svc.healthCheckNodePort), readsStatus: true },
    { ...tcp('etp-local-health-without-local', outside, e.withoutLocal.internalIP, svc.healthCheckNodePort), readsStatus: true },
  ];
  const client = s.clientNode === e.withoutLocal.name ? { from: s.clientPod, fromNode: s.clientNode } : undefined;
  if (lbIP && client) probes.push(tcp('etp-local-pod-to-lb-ip', client, lbIP, svc.ports[0]!.port));
  return probes;
}

/** The client pod's `requests` new connections to a ClientIP-affinity Service: one backend should answer all. */
function affinityProbes(cluster: ClusterJson, s: ProbeSites, pod: ProbeFrom): ProbeTarget[] {
  if (!s.affinity) return [];
  const svc = serviceNamed(cluster, s.affinity.service);
  const ip = clusterIPsOf(svc).find((x) => isIPv4(x));
  if (!ip) throw new Error(`migration probes: ${s.affinity.service} has no IPv4 ClusterIP`);
  return [{ ...tcp('session-affinity', pod, ip, svc.ports[0]!.port), repeat: s.affinity.requests }];
}

/** From each node: the service's ClusterIP, then each node's NodePort on its InternalIP. */
function nodeToNodeProbes(s: ProbeSites, nodePort: number | undefined): ProbeTarget[] {
  return (s.everyNode ?? []).flatMap(({ name }) => {
    const from = { from: name, fromNode: name };
    const toClusterIP = { ...tcp('node-to-clusterip', from, s.service.clusterIP, s.service.port), key: `from ${name} to ${s.service.clusterIP}:${s.service.port}` };
    const toNodePorts = nodePort === undefined ? [] : (s.everyNode ?? []).map((to) => ({ ...tcp('node-to-nodeport', from, to.internalIP, nodePort), key: `from ${name} to ${to.name}'s NodePort` }));
    return [toClusterIP, ...toNodePorts];
  });
}

/** The shell command of one request: whoami over HTTP or raw UDP, or one ping. */
export function probeCommand(t: ProbeTarget): string {
  const limit = String(PROBE_TIMEOUT_S);
  if (t.protocol === 'ICMP') return `if command -v ping >/dev/null; then ping -c 1 -W 2 ${shellQuote([t.target])}; else busybox ping -c 1 -W 2 ${shellQuote([t.target])}; fi`;
  const port = String(t.port);
  if (t.protocol === 'UDP') {
    // A DNS query (the root zone's A record), so real CoreDNS answers as the lab's whoami.pl does; dd reads the
    // whole datagram in one read, where bash's `read` would take one byte and lose the rest.
    return shellQuote(['timeout', limit, 'bash', '-c', `exec 3<>"/dev/udp/$0/$1" || exit 7; printf '${DNS_QUERY}' >&3; dd bs=1024 count=1 status=none <&3 | od -An -c`, t.target, port]);
  }
  const once = whoamiRequest(t.target, port);
  // Several new connections one after another (session affinity); the exit code is the last one's.
  return (t.repeat ?? 1) > 1 ? `for _ in $(seq ${t.repeat}); do ${once}; done` : once;
}

/** One new connection asking whoami over HTTP, bounded by the probe timeout; prints the answer. */
export function whoamiRequest(ip: string, port: number | string): string {
  const request = `GET ${WHOAMI_REQUEST_PATH} HTTP/1.0\\r\\n\\r\\n`;
  return shellQuote(['timeout', String(PROBE_TIMEOUT_S), 'bash', '-c', `exec 3<>"/dev/tcp/$0/$1" || exit 7; printf '${request}' >&3; while IFS= read -r l <&3; do echo "$l"; done`, ip, String(port)]);
}

/** All requests of one client in parallel, each into its own file, then printed in order with its exit code. */
export function probeScript(targets: ProbeTarget[]): string {
  const jobs = targets.map((t, i) => `( ${probeCommand(t)}; echo "rc=$?" ) > "$d/${i}" 2>&1 &`);
  const dump = targets.map((_, i) => `echo '${PROBE_MARK} ${i}'; cat "$d/${i}"`);
  return ['d=$(mktemp -d)', ...jobs, 'wait', ...dump, 'rm -rf "$d"'].join('\n') + '\n';
}

/** Runs the plan: one exec per client (`execFor` maps a pod, node or host name to its backend). */
export async function runMigrationProbes(plan: ProbeTarget[], execFor: (name: string) => Exec): Promise<ProbeResult[]> {
  const results = new Map<ProbeTarget, ProbeResult>();
  for (const from of new Set(plan.map((t) => t.from))) {
    const targets = plan.filter((t) => t.from === from);
    const exec = execFor(from);
    const out = await runOk(exec, ['bash', '-c', probeScript(targets)], { timeoutMs: 60_000 });
    const readings = parseProbeBlocks(out, targets.length, (i) => targets[i]!.protocol, `probes from ${from} (${exec.label})`, (i) => targets[i]!.readsStatus === true);
    targets.forEach(({ readsStatus: _, ...t }, i) => results.set(targets[i]!, { ...t, ...readings[i]! }));
  }
  return plan.map((t) => results.get(t)!);
}
