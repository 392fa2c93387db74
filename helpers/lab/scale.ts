// The scale curve: how kube-proxy's rules, sync time and memory grow with the number of Services, per mode, on
// Kubernetes' own kube-proxy. A benchmark (npm run lab:scale), never a timed test: it measures and reports.
import type { V1Service } from '@kubernetes/client-node';
import type { K8s } from '../cluster/k8s.js';
import { parseIpsetList } from '../parsers/ipset.js';
import { parseIptablesSave } from '../parsers/iptables-save.js';
import { parseIpvsadm, parseProcNetIpVs, type VirtualServer } from '../parsers/ipvs-table.js';
import { countNftRules } from '../parsers/nft.js';
import type { ProxyMode } from '../snapshot/model.js';
import type { NodeFiles } from '../snapshot/write.js';
import { parseSyncMetrics } from './kube-proxy.js';

export const SCALE_STEPS = [10, 100, 1000];
/** Room for the steps' ClusterIPs beside the seed's 10.200.1.0/24. */
export const SCALE_SERVICE_CIDR = '10.200.0.0/16';
const CREATE_CONCURRENCY = 20;

export interface ScalePoint {
  mode: ProxyMode;
  services: number;
  rules: number;
  /** How the rule count is made up, e.g. `iptables 29 + ipset members 2015 + virtual servers 1012`. */
  ruleDetail: string;
  /** Mean of kube-proxy's own sync durations (kubeproxy_sync_proxy_rules_duration_seconds, IPv4) while it programmed this step. */
  syncMeanMs: number;
  syncs: number;
  rssMb: number;
}

/** Services scale-<i> for i in [from, to): each selects the seed's three webpods, so each has 3 endpoints. */
export function scaleServices(from: number, to: number): V1Service[] {
  return Array.from({ length: to - from }, (_, k) => ({
    metadata: { namespace: 'default', name: `scale-${from + k}` },
    spec: { selector: { app: 'webpod' }, ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 80 }] },
  }));
}

export async function createServices(k8s: K8s, services: V1Service[]): Promise<void> {
  for (let i = 0; i < services.length; i += CREATE_CONCURRENCY) {
    await Promise.all(services.slice(i, i + CREATE_CONCURRENCY).map((body) => k8s.core.createNamespacedService({ namespace: 'default', body })));
  }
}

export interface SyncTotals {
  sum: number;
  count: number;
}

/** The IPv4 proxier's sync-duration histogram totals from kube-proxy's /metrics text. */
export function parseSyncDuration(metrics: string): SyncTotals {
  const state = parseSyncMetrics(metrics);
  const read = (what: 'sum' | 'count') => {
    // No labels (a single-stack build) or the IPv4 proxier's.
    const labels = [...state[what].keys()].find((l) => l.replace(/[{}]/g, '') === '' || l.includes('ip_family="IPv4"'));
    if (labels === undefined) throw new Error(`kube-proxy metrics have no kubeproxy_sync_proxy_rules_duration_seconds_${what} for IPv4`);
    return state[what].get(labels)!;
  };
  return { sum: read('sum'), count: read('count') };
}

/** The mean sync between two readings, in milliseconds. */
export function meanSyncMs(before: SyncTotals, after: SyncTotals): { meanMs: number; syncs: number } {
  const syncs = after.count - before.count;
  return { meanMs: syncs > 0 ? ((after.sum - before.sum) / syncs) * 1000 : 0, syncs };
}

/**
 * kube-proxy's IPv4 rules on one node: `-A` lines of iptables-save for iptables; rules in `table ip kube-proxy`
 * for nftables; for IPVS, iptables rules plus ipset members (IPv4 sets) plus IPv4 virtual servers.
 */
export function kubeProxyRuleCount(mode: ProxyMode, files: NodeFiles, source: string): { rules: number; detail: string } {
  if (mode === 'nftables') {
    const nft = countNftRules(files.nftRuleset ?? '', `${source}/nft-ruleset.txt`).get('ip kube-proxy') ?? 0;
    return { rules: nft, detail: `nft table ip kube-proxy ${nft}` };
  }
  const iptables = parseIptablesSave(files.iptablesSave ?? '', `${source}/iptables-save.txt`).rules.length;
  if (mode === 'iptables') return { rules: iptables, detail: `iptables ${iptables}` };
  const members = [...parseIpsetList(files.ipset ?? '', `${source}/ipset.txt`).values()].filter((s) => !/family inet6/.test(s.header)).reduce((n, s) => n + s.members.size, 0);
  const servers = virtualServers(files, source).filter((vs) => !vs.address.includes(':')).length;
  return { rules: iptables + members + servers, detail: `iptables ${iptables} + ipset members ${members} + virtual servers ${servers}` };
}

/**
 * How many of the given scale Services one node has programmed, read from its rules: by name in iptables-save
 * comments and nftables chain names, by ClusterIP among IPVS virtual servers (which carry no names).
 */
export function programmedScaleServices(mode: ProxyMode, files: NodeFiles, clusterIPs: Set<string>, source: string): number {
  if (mode === 'ipvs') {
    const servers = virtualServers(files, source);
    return new Set(servers.map((vs) => vs.address).filter((a) => clusterIPs.has(a))).size;
  }
  const text = mode === 'nftables' ? files.nftRuleset : files.iptablesSave;
  return new Set(text?.match(/\bdefault\/scale-\d+\b/g) ?? []).size;
}

/**
 * ipvsadm's table (netlink) where the node has it: with hundreds of virtual servers in several netns, the UML
 * guest's /proc/net/ip_vs listed only part of them (57 of 105), while ipvsadm listed all.
 */
function virtualServers(files: NodeFiles, source: string): VirtualServer[] {
  if (files.ipvsadm !== undefined) return parseIpvsadm(files.ipvsadm, `${source}/ipvsadm.txt`);
  return parseProcNetIpVs(files.procIpvs ?? '', `${source}/proc-net-ip_vs.txt`);
}

export function scaleTable(points: ScalePoint[]): string {
  const head = '| mode | Services | kube-proxy rules (IPv4) | mean sync | syncs | RSS |\n|---|---:|---:|---:|---:|---:|';
  const rows = points.map((p) => `| ${p.mode} | ${p.services} | ${p.rules} (${p.ruleDetail}) | ${p.syncMeanMs.toFixed(0)} ms | ${p.syncs} | ${p.rssMb.toFixed(0)} MB |`);
  return [head, ...rows].join('\n');
}
