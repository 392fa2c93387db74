// The two live probes. Each is ONE exec of a small shell loop, never one exec per request: exec round trips
// (kubectl exec, docker exec, the lab spool) cost far more than the requests themselves.
import { runOk, shellQuote, type Exec } from '../exec/exec.js';
import { parseArpingReplies } from '../parsers/arping.js';
import { parseHostnames } from '../parsers/whoami.js';
import type { ArpProbe, Protocol, TrafficJson } from '../snapshot/model.js';

export interface BalanceProbe {
  service: string;
  clusterIP: string;
  port: number;
  protocol?: Protocol;
  clientPod: string;
  clientNode: string;
  requests: number;
}

/** Shell loop: N sequential curls, each a new process and so a new TCP connection (a new IPVS scheduling). */
export function balanceScript(p: Pick<BalanceProbe, 'clusterIP' | 'port' | 'requests'>): string {
  const url = `http://${p.clusterIP}:${p.port}/`;
  return `i=0; while [ $i -lt ${p.requests} ]; do i=$((i+1)); curl -s --max-time 3 -H 'Connection: close' ${shellQuote([url])} || echo 'Hostname: (no answer)'; done`;
}

export async function runBalanceProbe(client: Exec, p: BalanceProbe): Promise<TrafficJson> {
  const out = await runOk(client, ['sh', '-c', balanceScript(p)], { timeoutMs: 30_000 + p.requests * 3_000 });
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
