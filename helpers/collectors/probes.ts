// The two live probes. Each is ONE exec of a small shell loop, never one exec per request: exec round trips
// (kubectl exec, docker exec, the lab spool) cost far more than the requests themselves.
import { runOk, shellQuote, type Exec } from '../exec/exec.js';
import { parseArpingReplies } from '../parsers/arping.js';
import { NO_ANSWER, parseHostnames } from '../parsers/whoami.js';
import { isIPv4 } from 'node:net';
import { expectedClusterIPs, loadBalancerVIPs } from '../claims/expected.js';
import type { ArpProbe, ClusterJson, Protocol, TrafficJson } from '../snapshot/model.js';

export interface BalanceProbe {
  service: string;
  clusterIP: string;
  port: number;
  protocol?: Protocol;
  clientPod: string;
  clientNode: string;
  requests: number;
  /**
   * `curl` (default; what the seed uses), or `bash-tcp`: bash's /dev/tcp, one new connection per request with
   * no process spawn, for the lab's UML guest where each spawn costs ~0.3 s.
   */
  client?: 'curl' | 'bash-tcp';
}

/** Shell loop: N sequential curls, each a new process and so a new TCP connection (a new IPVS scheduling). */
export function balanceScript(p: Pick<BalanceProbe, 'clusterIP' | 'port' | 'requests' | 'client'>): string {
  const loop = (body: string) => `i=0; while [ $i -lt ${p.requests} ]; do i=$((i+1)); ${body}; done`;
  if (p.client === 'bash-tcp') {
    // bash keeps running when the connect fails, so no subshell (a fork) is needed per request.
    const target = `/dev/tcp/${p.clusterIP}/${p.port}`;
    return loop(`if exec 3<>${target}; then printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3; while read -r l <&3; do echo "$l"; done; exec 3<&-; else echo 'Hostname: ${NO_ANSWER}'; fi`);
  }
  const url = shellQuote([`http://${p.clusterIP}:${p.port}/`]);
  return loop(`curl -s --max-time 3 -H 'Connection: close' ${url} || echo 'Hostname: ${NO_ANSWER}'`);
}

/** The balance probe's limit: each request may take its 3 s curl timeout. */
export function balanceProbeTimeoutMs(requests: number): number {
  return 30_000 + requests * 3_000;
}

/** A test that runs the probe also collects a snapshot: five more minutes for that. */
export function balanceTestTimeoutMs(requests: number): number {
  return balanceProbeTimeoutMs(requests) + 5 * 60_000;
}

export async function runBalanceProbe(client: Exec, p: BalanceProbe): Promise<TrafficJson> {
  const out = await runOk(client, [p.client === 'bash-tcp' ? 'bash' : 'sh', '-c', balanceScript(p)], { timeoutMs: balanceProbeTimeoutMs(p.requests) });
  return {
    service: p.service,
    clusterIP: p.clusterIP,
    port: p.port,
    protocol: p.protocol ?? 'TCP',
    clientPod: p.clientPod,
    clientNode: p.clientNode,
    responses: parseHostnames(out),
  };
}

export interface ArpTarget {
  target: string;
  kind: ArpProbe['kind'];
}

/**
 * What the ARP probe asks for: IPv4 ClusterIPs (the first `clusterIPs` of them) and every IPv4 LB ingress IP, all
 * bound on kube-ipvs0 and silent under strictARP, and a node's own address as the control that must answer.
 */
export function serviceArpTargets(cluster: ClusterJson, controlIP: string, clusterIPs = Infinity): ArpTarget[] {
  const v4 = (ips: string[]) => ips.filter((ip) => isIPv4(ip));
  return [
    ...v4([...expectedClusterIPs(cluster).keys()]).slice(0, clusterIPs).map((target) => ({ target, kind: 'clusterIP' as const })),
    ...v4(cluster.services.flatMap(loadBalancerVIPs)).map((target) => ({ target, kind: 'loadBalancer' as const })),
    { target: controlIP, kind: 'node' as const },
  ];
}

const MARK = '=== arping';

/** All arpings run in parallel (each waits up to 3 s for silence); outputs are framed by a marker line. */
export function arpScript(targets: ArpTarget[], iface = 'eth0'): string {
  const jobs = targets.map((t, i) => `arping -c 2 -w 3 -I ${iface} ${shellQuote([t.target])} > "$d/${i}" 2>&1 &`);
  const dump = targets.map((t, i) => `echo ${shellQuote([`${MARK} ${t.target}`])}; cat "$d/${i}"`);
  return ['d=$(mktemp -d)', ...jobs, 'wait', ...dump, 'rm -rf "$d"'].join('\n');
}

export async function runArpProbe(from: Exec, fromName: string, targets: ArpTarget[], iface = 'eth0'): Promise<{ probes: ArpProbe[]; raw: string }> {
  // arping exits 1 when nothing answers, which is the expected outcome for a ClusterIP: read the output instead.
  const r = await from.run(['sh', '-c', arpScript(targets, iface)], { timeoutMs: 30_000 });
  const blocks = new Map(r.stdout.split(`${MARK} `).slice(1).map((b) => [b.slice(0, b.indexOf('\n')), b] as const));
  const probes = targets.map((t) => ({
    from: fromName,
    target: t.target,
    kind: t.kind,
    replies: parseArpingReplies(blocks.get(t.target) ?? r.stderr, `arping ${t.target} from ${fromName}`),
  }));
  return { probes, raw: r.stdout };
}
