import { planMigrationProbes, runMigrationProbes, type ProbeSites } from '../collectors/migration-probes.js';
import { collectNodeFiles } from '../collectors/node.js';
import { runArpProbe, runBalanceProbe, type ArpTarget, type BalanceProbe } from '../collectors/probes.js';
import type { Exec } from '../exec/exec.js';
import { kubectlExec } from '../exec/process-exec.js';
import { InputError } from '../snapshot/input-error.js';
import type { ArpProbe, ClusterJson, ProbeResult, TrafficJson } from '../snapshot/model.js';
import { writeSnapshot, type NodeFiles } from '../snapshot/write.js';
import { kindNodeAccess } from './access.js';
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

export async function collectNodes(k8s: K8s): Promise<Map<string, NodeFiles>> {
  const out = new Map<string, NodeFiles>();
  for (const node of await kindNodeAccess(k8s)) out.set(node.name, await collectNodeFiles(node));
  return out;
}

/** The seed's balance probe: `requests` new connections from net-pod to the service's first port. */
export async function netPodBalanceProbe(k8s: K8s, namespace: string, service: string, requests: number): Promise<BalanceProbe> {
  const [svc, pod] = await Promise.all([
    k8s.core.readNamespacedService({ name: service, namespace }),
    k8s.core.readNamespacedPod({ name: 'net-pod', namespace }),
  ]);
  const port = svc.spec?.ports?.[0];
  if (!svc.spec?.clusterIP || !port) throw new InputError(`service ${namespace}/${service} has no ClusterIP or port`);
  return {
    service: `${namespace}/${service}`,
    clusterIP: svc.spec.clusterIP,
    port: port.port,
    clientPod: 'net-pod',
    clientNode: pod.spec?.nodeName ?? '',
    requests,
  };
}

/** Exec in the seed's net-pod (container netshoot-pod), where the balance probe runs. */
export function netPodExec(k8s: K8s, namespace: string): Exec {
  return kubectlExec(k8s.target, namespace, 'net-pod', 'netshoot-pod');
}

export interface LiveCollectOptions {
  balance?: { client: Exec; probe: BalanceProbe };
  /** The migration probes (probes.json): what they try, and how to reach each pod, node or host they run from. */
  migration?: { sites: ProbeSites; execFor: (name: string) => Exec; namespaces: string[] };
  arp?: { from: Exec; fromName: string; targets: ArpTarget[] };
  /** One line per step done, for a user watching a long collection. */
  progress?: (line: string) => void;
}

export interface LiveSnapshot {
  cluster: ClusterJson;
  nodes: Map<string, NodeFiles>;
  traffic?: TrafficJson;
  arp?: ArpProbe[];
  arpRaw?: string;
  probes?: ProbeResult[];
}

/** Only the suite's own namespaces: a shared cluster's other services are no part of the comparison. */
function planFor(cluster: ClusterJson, m: NonNullable<LiveCollectOptions['migration']>) {
  return planMigrationProbes({ ...cluster, services: cluster.services.filter((s) => m.namespaces.includes(s.namespace)) }, m.sites);
}

/** Collects a complete snapshot from a live kind cluster with the same collectors the lab uses, and writes it. */
export async function collectLiveSnapshot(k8s: K8s, dir: string, opts: LiveCollectOptions = {}): Promise<LiveSnapshot> {
  const cluster = await readLiveClusterJson(k8s);
  opts.progress?.(`read ${k8s.kc.getCurrentCluster()?.server ?? 'the API server'}: ${cluster.nodes.length} nodes, ${cluster.services.length} services, kube-proxy mode ${cluster.proxyMode}`);
  const nodes = await collectNodes(k8s);
  opts.progress?.(`collected the outputs of ${nodes.size} nodes`);
  const traffic = opts.balance ? await runBalanceProbe(opts.balance.client, opts.balance.probe) : undefined;
  const arp = opts.arp ? await runArpProbe(opts.arp.from, opts.arp.fromName, opts.arp.targets) : undefined;
  const probes = opts.migration && (await runMigrationProbes(planFor(cluster, opts.migration), opts.migration.execFor));
  if (probes) opts.progress?.(`ran ${probes.length} migration probes`);
  const snap: LiveSnapshot = { cluster, nodes, ...(traffic && { traffic }), ...(arp && { arp: arp.probes, arpRaw: arp.raw }), ...(probes && { probes }) };
  await writeSnapshot(dir, snap);
  return snap;
}
