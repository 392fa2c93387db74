// Kubernetes' own kube-proxy, one per lab node, started in the node's network namespace with the seed's
// configuration. Readiness is a complete sync read from kube-proxy's own metrics, not the first address it binds.
import { dumpYaml } from '@kubernetes/client-node';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeProxyConfig, ProxyMode } from '../snapshot/model.js';
import { kubeProxyBinary } from './kube-binaries.js';
import type { LabNode } from './topology.js';
import { POD_SUBNET } from './topology.js';
import type { UmlGuest } from './uml-guest.js';

export const METRICS_PORT = 10249;
/** The longest one node's metrics response may take to arrive in the guest, in seconds. */
const METRICS_READ_S = 20;
const SYNC_POLL_MS = 1_000;

export interface SeedProxyOptions {
  mode?: ProxyMode;
  strictARP?: boolean;
  scheduler?: string;
  /** ipvs.excludeCIDRs: addresses whose virtual servers belong to other software (keepalived, kube-vip). */
  excludeCIDRs?: string[];
}

/** The KubeProxyConfiguration kubeadm writes into kube-system/kube-proxy on kind, for the seed's cluster config. */
export function seedKubeProxyConfig(o: SeedProxyOptions = {}): KubeProxyConfig {
  const mode = o.mode ?? 'ipvs';
  return {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    bindAddress: '0.0.0.0',
    clientConnection: { kubeconfig: '/var/lib/kube-proxy/kubeconfig.conf' },
    clusterCIDR: POD_SUBNET,
    // kind sets maxPerCore 0: nf_conntrack_max is not per netns, so kube-proxy must leave it alone.
    conntrack: { maxPerCore: 0 },
    ipvs: { excludeCIDRs: o.excludeCIDRs ?? null, minSyncPeriod: '0s', scheduler: o.scheduler ?? '', strictARP: o.strictARP ?? true, syncPeriod: '0s', tcpFinTimeout: '0s', tcpTimeout: '0s', udpTimeout: '0s' },
    metricsBindAddress: `0.0.0.0:${METRICS_PORT}`,
    mode,
  };
}

/** One node's config file: the ConfigMap's config plus what kubelet-less nodes must say themselves. */
export function nodeConfigYaml(base: KubeProxyConfig, node: string, kubeconfig: string, mode?: ProxyMode): string {
  const clientConnection = { ...(base.clientConnection as object), kubeconfig };
  return dumpYaml({ ...base, ...(mode && { mode }), hostnameOverride: node, clientConnection });
}

/** kube-proxy's sync metrics, per label set (one per IP family when it runs dual-stack). */
export interface SyncState {
  last: Map<string, number>;
  queued: Map<string, number>;
  /** The sync duration histogram's count and sum (seconds). */
  count: Map<string, number>;
  sum: Map<string, number>;
}

const SYNC_METRIC = /^kubeproxy_sync_proxy_rules_(last_timestamp|last_queued_timestamp|duration)_seconds(_count|_sum)?(\{[^}]*\})? (\S+)$/gm;
const SYNC_FIELDS: Record<string, keyof SyncState> = { last_timestamp: 'last', last_queued_timestamp: 'queued', duration_count: 'count', duration_sum: 'sum' };

export function parseSyncMetrics(text: string): SyncState {
  const state: SyncState = { last: new Map(), queued: new Map(), count: new Map(), sum: new Map() };
  for (const [, name, part = '', labels = '', value] of text.matchAll(SYNC_METRIC)) {
    const field = SYNC_FIELDS[name + part];
    if (field) state[field].set(labels, Number(value));
  }
  return state;
}

interface FamilyReading {
  count: number;
  sum: number;
  /** No later than the start of the proxier's latest sync (epoch seconds); unknown until a sync is counted. */
  latestStart?: number;
  /** A kube-proxy process that started after the watch was taken (none ran then, or it restarted). */
  fresh: boolean;
}

/**
 * Follows kube-proxy's sync metrics from just before a change at `since` (epoch seconds, the clock kube-proxy's
 * metrics use). The change is programmed when some proxier queued a sync at or after `since` (it saw the change)
 * and every proxier that did has since finished a sync that *began* after its last queued one. kube-proxy stamps
 * only a sync's end, and a long sync that began before an event ends after it; the duration histogram's growth
 * since the previous reading bounds the latest sync's start from below. A proxier of the other IP family ignores
 * a single-family change, so only "nothing pending" is asked of it.
 *
 * A kube-proxy started after the watch is asked only for "nothing pending": its first sync runs when the
 * informers have synced, possibly before SyncLoop stamps a synthetic "queued" time at its own start, and in
 * iptables and nftables mode nothing else syncs for an hour. That first sync reads the whole API state anyway.
 */
export class SyncWatch {
  private readonly readings = new Map<string, FamilyReading>();

  /**
   * `families`: the metric labels of proxiers that must have completed a sync, e.g. `{ip_family="IPv6"}` in a
   * dual-stack cluster. kube-proxy stamps a family's first sync only when it ends, and its dual-stack proxier runs
   * the IPv6 first sync after the IPv4 one: without this, a wait could end before IPv6 was programmed at all.
   */
  constructor(
    readonly since: number,
    baseline: ReadonlyMap<string, SyncState> = new Map(),
    private readonly families: readonly string[] = [],
  ) {
    for (const [node, s] of baseline) {
      for (const labels of s.count.keys()) this.readings.set(`${node} ${labels}`, { count: s.count.get(labels)!, sum: s.sum.get(labels) ?? 0, fresh: false });
    }
  }

  /** Records one reading of a node's metrics; true once that node has programmed the change. */
  synced(node: string, s: SyncState): boolean {
    if (s.last.size === 0) return false;
    const queued = (labels: string) => s.queued.get(labels) ?? 0;
    const sawChange = [...s.last.keys()].some((labels) => queued(labels) >= this.since);
    const families = new Set([...s.last.keys(), ...this.families]);
    const done = [...families].map((labels) => {
      const last = s.last.get(labels) ?? 0;
      const r = this.record(`${node} ${labels}`, last, s.count.get(labels) ?? 0, s.sum.get(labels) ?? 0);
      const nothingPending = last >= queued(labels) && last > 0;
      return nothingPending && (r.fresh || queued(labels) < this.since || (r.latestStart ?? -Infinity) >= queued(labels));
    });
    return sawChange && done.every(Boolean);
  }

  private record(key: string, last: number, count: number, sum: number): FamilyReading {
    const before = this.readings.get(key);
    // A restarted kube-proxy counts from zero again.
    const prev = before && before.count <= count ? before : { count: 0, sum: 0, fresh: true };
    // Every sync since the previous reading took part of the sum's growth, so the latest began no later than this.
    const latestStart = count > prev.count ? last - (sum - prev.sum) : prev.latestStart;
    const reading = { count, sum, fresh: prev.fresh, ...(latestStart !== undefined && { latestStart }) };
    this.readings.set(key, reading);
    return reading;
  }
}

/**
 * Polls kube-proxy's sync metrics (per node) until every node has synced what the API held at the watch's
 * `since`; returns the milliseconds waited, or undefined when `timeoutMs` ran out. Shared by the guest's and the
 * host's kube-proxies.
 */
export async function pollUntilSynced(read: () => Promise<Map<string, SyncState>>, watch: SyncWatch, timeoutMs: number, intervalMs = SYNC_POLL_MS): Promise<number | undefined> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    const states = [...(await read())];
    // Every node's reading is recorded, even after one is found not synced: the next poll compares against it.
    if (states.map(([node, s]) => watch.synced(node, s)).every(Boolean)) return Date.now() - start;
    await sleep(intervalMs);
  }
  return undefined;
}

export interface ProxyStart {
  version?: string;
  mode?: ProxyMode;
  /**
   * Run it as a kube-proxy container without the node's /lib/modules mounted: its `modprobe ip_vs` fails, and in
   * nftables mode it then skips the IPVS cleanup (pkg/proxy/ipvs/proxier.go CleanupLeftovers).
   */
  withoutModuleTree?: boolean;
}

/** The kube-proxies of one UML guest: each runs in its node's netns, logging to the scenario directory. */
export class GuestKubeProxies {
  private readonly running = new Map<string, { version: string; mode: ProxyMode }>();

  constructor(
    private readonly guest: UmlGuest,
    private readonly dir: string,
    private readonly kubeconfig: string,
    private readonly base: KubeProxyConfig,
    /** Proxier families every wait requires a completed sync of (SyncWatch). */
    private readonly families: readonly string[] = [],
  ) {}

  async start(node: LabNode, o: ProxyStart = {}): Promise<void> {
    const version = o.version ?? this.running.get(node.name)?.version;
    const mode = o.mode ?? (this.base.mode as ProxyMode);
    await mkdir(this.dir, { recursive: true });
    const config = join(this.dir, `${node.name}.yaml`);
    await writeFile(config, nodeConfigYaml(this.base, node.name, this.kubeconfig, mode));
    const log = this.logFile(node.name);
    const bin = kubeProxyBinary(version);
    // Appends: a restarted kube-proxy's log follows its predecessor's, with a marker line between them.
    const path = o.withoutModuleTree ? 'PATH=/run/lab/no-modules-bin:$PATH ' : '';
    const script = `echo "=== lab: starting ${bin} (mode ${mode}${o.withoutModuleTree ? ', no module tree' : ''}) at $(date -u +%FT%TZ)" >> ${log}\n${path}${bin} --config=${config} --v=2 >> ${log} 2>&1 < /dev/null &\necho $! > /run/lab/kube-proxy-${node.name}.pid\n`;
    await this.run(node.name, script, `start kube-proxy on ${node.name}`);
    this.running.set(node.name, { version: version ?? 'default', mode });
  }

  /** Kills kube-proxy as a crash would (SIGKILL): it gets no chance to clean anything up. */
  async kill(node: LabNode): Promise<void> {
    const pid = `$(cat /run/lab/kube-proxy-${node.name}.pid)`;
    await this.run(null, `kill -9 ${pid}\nfor _ in $(seq 1 100); do s=$(cut -d' ' -f3 /proc/${pid}/stat 2>/dev/null); [ -z "$s" ] || [ "$s" = Z ] && break; sleep 0.1; done\n`, `kill kube-proxy on ${node.name}`);
    this.running.delete(node.name);
  }

  /**
   * The guest's clock (epoch seconds), which kube-proxy's metrics use. It is not the host's: a loaded UML guest's
   * clock falls behind, so `since` must be read here, never from Date.now(). bash's EPOCHREALTIME needs no spawn.
   */
  async guestNow(): Promise<number> {
    const r = await this.guest.script(null, 'echo "$EPOCHREALTIME"\n');
    const t = Number(r.stdout.trim());
    if (!Number.isFinite(t) || t <= 0) throw new Error(`lab: cannot read the guest's clock: ${JSON.stringify(r.stdout + r.stderr)}`);
    return t;
  }

  /** Call just before a change (or a kube-proxy start): the guest's time and the running kube-proxies' metrics. */
  async watch(nodes: LabNode[]): Promise<SyncWatch> {
    const since = await this.guestNow();
    return new SyncWatch(since, await this.syncStates(nodes.filter((n) => this.running.has(n.name))), this.families);
  }

  /** Waits until every running kube-proxy has synced everything the API held when `watch` was taken. */
  // Generous: under load (two guests, a mutation run) four kube-proxies on one vCPU took up to three minutes.
  async waitSynced(nodes: LabNode[], watch: SyncWatch, timeoutMs = 300_000): Promise<number> {
    const live = nodes.filter((n) => this.running.has(n.name));
    const waited = await pollUntilSynced(() => this.syncStates(live), watch, timeoutMs);
    if (waited !== undefined) return waited;
    const logs = await Promise.all(live.map(async (n) => `${n.name}: ${(await this.log(n.name)).trim().split('\n').slice(-2).join(' | ')}`));
    throw new Error(`lab: kube-proxy did not complete a sync within ${timeoutMs} ms; last log lines: ${logs.join('; ')}`);
  }

  logFile(node: string): string {
    return join(this.dir, `${node}.log`);
  }

  log(node: string): Promise<string> {
    return readFile(this.logFile(node), 'utf8').catch(() => '');
  }

  /**
   * One guest request reads every node's metrics over the node network (bash /dev/tcp). Its connect has no timeout
   * of its own; guest-init.sh limits SYN retries in the root netns, so a node that does not answer costs about 3 s
   * and reads as not synced until the next poll. The response is copied by one bounded `cat` into a file and
   * filtered from there: bash reads a socket one byte per syscall, which in UML took 40 s per node.
   */
  private async syncStates(nodes: LabNode[]): Promise<Map<string, SyncState>> {
    if (nodes.length === 0) return new Map(); // before the first start: no guest round trip for nothing
    const script = nodes
      .map((n) => `echo '=== ${n.name}'; if exec 3<>/dev/tcp/${n.ip}/${METRICS_PORT}; then printf 'GET /metrics HTTP/1.0\\r\\n\\r\\n' >&3; timeout ${METRICS_READ_S} cat <&3 > "$m"; exec 3<&-; while read -r l; do [[ $l == kubeproxy_sync_proxy_rules_last_* || $l == kubeproxy_sync_proxy_rules_duration_seconds_[cs]* ]] && echo "$l"; done < "$m"; fi 2>/dev/null`)
      .join('\n');
    const r = await this.guest.script(null, `m=$(mktemp)\n${script}\nrm -f "$m"\n`, { timeoutMs: nodes.length * (METRICS_READ_S + 5) * 1000 });
    const blocks = new Map(r.stdout.split('=== ').slice(1).map((b) => [b.slice(0, b.indexOf('\n')), b] as const));
    return new Map(nodes.map((n) => [n.name, parseSyncMetrics(blocks.get(n.name) ?? '')]));
  }

  private async run(netns: string | null, script: string, what: string): Promise<void> {
    const r = await this.guest.script(netns, script);
    if (r.exitCode !== 0) throw new Error(`lab: ${what} failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
  }
}
