// The one collection path: cluster.json from the live API, every node's outputs through the cluster's node
// access, then the probes asked for. Lab, host-netns, kind and node-agent clusters all write snapshots here.
import { planMigrationProbes, runMigrationProbes, type ProbeSites } from '../collectors/migration-probes.js';
import { collectNodeFiles } from '../collectors/node.js';
import { runArpProbe, runBalanceProbe, type ArpTarget, type BalanceProbe } from '../collectors/probes.js';
import { execa } from 'execa';
import type { Exec } from '../exec/exec.js';
import { kubectlBase } from '../exec/process-exec.js';
import type { ArpProbe, ClusterJson, ProbeResult, TrafficJson } from '../snapshot/model.js';
import { writeSnapshot, type NodeFiles } from '../snapshot/write.js';
import type { Cluster } from './cluster.js';
import { assembleClusterJson } from './cluster-json.js';
import type { K8s } from './k8s.js';

/** Reads the API objects cluster.json is made of (all namespaces) and assembles it. */
export async function readLiveClusterJson(k8s: K8s): Promise<ClusterJson> {
  const [kubeProxyConfigMap, nodes, services, slices] = await Promise.all([
    k8s.core.readNamespacedConfigMap({ name: 'kube-proxy', namespace: 'kube-system' }),
    k8s.core.listNode(),
    k8s.core.listServiceForAllNamespaces(),
    k8s.discovery.listEndpointSliceForAllNamespaces(),
  ]);
  return assembleClusterJson({ kubeProxyConfigMap, nodes: nodes.items, services: services.items, endpointSlices: slices.items });
}

/** Every node's raw outputs, nodes read together (each node's commands stay in order). */
export async function collectNodes(cluster: Cluster): Promise<Map<string, NodeFiles>> {
  const access = await cluster.nodes();
  const files = await Promise.all(access.map((n) => collectNodeFiles(n)));
  return new Map(access.map((n, i) => [n.name, files[i]!]));
}

export interface CollectOptions {
  /** The seed's balance probe (traffic.json); `client` defaults to the cluster's shell of the probe's client pod. */
  balance?: { probe: BalanceProbe; client?: Exec };
  /** The migration probes (probes.json), planned from the services of `namespaces` (all when absent). */
  migration?: { sites: ProbeSites; namespaces?: string[] };
  arp?: { fromName: string; targets: (cluster: ClusterJson) => ArpTarget[] };
  /** One line per step done, for a user watching a long collection. */
  progress?: (line: string) => void;
  /** Wraps each step (the lab times its steps); by default the step just runs. */
  step?: <T>(name: string, body: () => Promise<T>) => Promise<T>;
}

export interface Snapshot {
  cluster: ClusterJson;
  nodes: Map<string, NodeFiles>;
  traffic?: TrafficJson;
  arp?: ArpProbe[];
  arpRaw?: string;
  probes?: ProbeResult[];
}

/** Only the asked namespaces: a shared cluster's other services are no part of the comparison. */
function planFor(cluster: ClusterJson, nodes: Map<string, NodeFiles>, m: NonNullable<CollectOptions['migration']>) {
  const services = m.namespaces ? cluster.services.filter((s) => m.namespaces!.includes(s.namespace)) : cluster.services;
  const clientMode = nodes.get(m.sites.clientNode)?.proxyMode?.trim() || cluster.proxyMode;
  return planMigrationProbes({ ...cluster, services }, m.sites, clientMode);
}

/** Collects a complete snapshot of `cluster` into `dir` and returns what it wrote (and the ARP probe's raw output). */
export async function collect(cluster: Cluster, dir: string, o: CollectOptions = {}): Promise<Snapshot> {
  const step = o.step ?? (<T>(_: string, body: () => Promise<T>) => body());
  const done = <T>(name: string, body: () => Promise<T>, line: (v: T) => string) =>
    step(name, body).then((v) => (o.progress?.(line(v)), v));
  const json = await done('cluster.json from the live kube-apiserver', () => readLiveClusterJson(cluster.k8s),
    (c) => `read ${cluster.k8s.kc.getCurrentCluster()?.server ?? 'the API server'}: ${c.nodes.length} nodes, ${c.services.length} services, kube-proxy mode ${c.proxyMode}`);
  const nodes = await done(`node outputs through ${cluster.label}`, () => collectNodes(cluster), (n) => `collected the outputs of ${n.size} nodes through ${cluster.label}`);
  const b = o.balance;
  const traffic = b && (await done(`balance probe: ${b.probe.requests} new connections from ${b.probe.clientPod}`,
    () => runBalanceProbe(b.client ?? cluster.exec(b.probe.clientPod), b.probe), (t) => `balance probe: ${t.responses.length} responses`));
  const a = o.arp;
  const arp = a && (await done(`ARP probe from ${a.fromName}`, () => runArpProbe(cluster.exec(a.fromName), a.fromName, a.targets(json)), (r) => `ARP probe: ${r.probes.length} targets`));
  const m = o.migration;
  const probes = m && (await done('migration probes', () => runMigrationProbes(planFor(json, nodes, m), (n) => cluster.exec(n)), (p) => `ran ${p.length} migration probes`));
  const snap: Snapshot = { cluster: json, nodes, ...(traffic && { traffic }), ...(arp && { arp: arp.probes, arpRaw: arp.raw }), ...(probes && { probes }) };
  await writeSnapshot(dir, snap);
  return snap;
}

/** kube-proxy's log per pod of its DaemonSet (the last 500 lines each), read with kubectl. */
export async function kubeProxyLogs(k8s: K8s): Promise<Record<string, string>> {
  const pods = await k8s.core.listNamespacedPod({ namespace: 'kube-system', labelSelector: 'k8s-app=kube-proxy' });
  const out: Record<string, string> = {};
  for (const p of pods.items) {
    const [file, ...args] = kubectlBase(k8s.target) as [string, ...string[]];
    const r = await execa(file, [...args, 'logs', '-n', 'kube-system', p.metadata!.name!, '--tail=500'], { reject: false, timeout: 30_000 });
    out[`kube-proxy-${p.spec?.nodeName ?? p.metadata!.name!}.log`] = String(r.stdout || r.stderr);
  }
  return out;
}
