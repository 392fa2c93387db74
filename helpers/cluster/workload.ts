// The seed's workload on any cluster: where its pods run, its balance probe and the migration probes' sites, and
// deploying it into a namespace of the suite's own (the kind setup, and `collect --workload` on a user's cluster).
import type { KubernetesObject, V1Node } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProbeSites } from '../collectors/migration-probes.js';
import type { BalanceProbe } from '../collectors/probes.js';
import type { Exec } from '../exec/exec.js';
import { kubectlExec } from '../exec/process-exec.js';
import { imagePullLine } from '../kind/diagnose.js';
import { applyObjects, createNamespace, loadManifest, podImageStatuses, podsReady } from '../kind/lifecycle.js';
import { IMAGE_SETTINGS } from '../kind/settings.js';
import { InputError } from '../snapshot/input-error.js';
import { readLiveClusterJson } from './collect.js';
import type { K8s } from './k8s.js';

export const NET_POD = { name: 'net-pod', container: 'netshoot-pod' } as const;
const SEED_NODES = ['myk8s-control-plane', 'myk8s-worker', 'myk8s-worker2', 'myk8s-worker3'];

/** Exec in the seed's net-pod (container netshoot-pod), where the balance and migration probes run. */
export function netPodExec(k8s: K8s, namespace: string): Exec {
  return kubectlExec(k8s.target, namespace, NET_POD.name, NET_POD.container);
}

/** The seed's balance probe: `requests` new connections from net-pod to the service's first port. */
export async function netPodBalanceProbe(k8s: K8s, namespace: string, service: string, requests: number): Promise<BalanceProbe> {
  const [svc, pod] = await Promise.all([
    k8s.core.readNamespacedService({ name: service, namespace }),
    k8s.core.readNamespacedPod({ name: NET_POD.name, namespace }),
  ]);
  const port = svc.spec?.ports?.[0];
  if (!svc.spec?.clusterIP || !port) throw new InputError(`service ${namespace}/${service} has no ClusterIP or port`);
  return { service: `${namespace}/${service}`, clusterIP: svc.spec.clusterIP, port: port.port, clientPod: NET_POD.name, clientNode: pod.spec?.nodeName ?? '', requests };
}

/**
 * The migration probes' sites on a cluster running the seed's workload: net-pod and its node, `outside` (kind's
 * mypc, or another node's agent), a worker's InternalIP for NodePorts, the seed's svc-clusterip. No probe of an
 * unallocated service address: in IPVS mode its SYN is routed out of the node to the user's own network.
 */
export async function seedProbeSites(k8s: K8s, namespace: string, outside: string): Promise<ProbeSites> {
  const [cluster, svc, pod] = await Promise.all([
    readLiveClusterJson(k8s),
    k8s.core.readNamespacedService({ name: 'svc-clusterip', namespace }),
    k8s.core.readNamespacedPod({ name: NET_POD.name, namespace }),
  ]);
  const client = pod.spec?.nodeName;
  const worker = cluster.nodes.find((n) => n.name.endsWith('-worker')) ?? cluster.nodes.find((n) => n.name !== client);
  if (!worker || !svc.spec?.clusterIP || !client) throw new InputError(`${namespace}: the seed's workload (net-pod, svc-clusterip, a second node) is not complete`);
  return {
    clientPod: NET_POD.name, clientNode: client, outside, ...(pod.status?.podIP && { clientPodIP: pod.status.podIP }),
    nodePortNode: { name: worker.name, internalIP: worker.internalIP },
    service: { clusterIP: svc.spec.clusterIP, port: 9000 }, unexposedPort: 9999,
  };
}

const isControlPlane = (n: V1Node) => n.metadata?.labels?.['node-role.kubernetes.io/control-plane'] !== undefined;

/**
 * The seed's node names mapped onto a cluster's nodes: myk8s-control-plane onto the first control-plane node,
 * the three workers onto the workers in name order (round again when there are fewer; all onto the one node).
 */
export function seedNodeMap(nodes: V1Node[]): (seed: string) => string {
  const byName = [...nodes].sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
  const planes = byName.filter(isControlPlane);
  const workers = byName.filter((n) => !isControlPlane(n));
  const first = (planes[0] ?? byName[0])!.metadata!.name!;
  return (seed) => {
    const i = SEED_NODES.indexOf(seed) - 1;
    if (i < 0 || workers.length === 0) return first;
    return workers[i % workers.length]!.metadata!.name!;
  };
}

/** The setting that picks a seed pod's image: the webpods run whoami, net-pod runs netshoot. */
export function imageSetting(pod: string): string | undefined {
  if (pod.startsWith('webpod')) return IMAGE_SETTINGS.webpod;
  return pod === NET_POD.name ? IMAGE_SETTINGS.netpod : undefined;
}

/** Waits, bounded, until `wanted` pods of `namespace` are Ready; an image that cannot be had ends it at once. */
export async function waitForPods(k8s: K8s, namespace: string, wanted: number, timeoutMs: number, settingFor = imageSetting, intervalMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pull = imagePullLine(await podImageStatuses(k8s, namespace), settingFor);
    if (pull) throw new InputError(`${k8s.target.context}: ${pull}`);
    const ready = (await podsReady(k8s, namespace)).length;
    if (ready === wanted) return;
    if (Date.now() > deadline) throw new InputError(`${k8s.target.context}: ${ready} of ${wanted} pods Ready in namespace ${namespace} after ${timeoutMs / 1000} s`);
    await sleep(intervalMs);
  }
}

export interface WorkloadOptions {
  namespace: string;
  runId: string;
  images: Record<string, string>;
  nodeName: (seed: string) => string | undefined;
  /** Manifests beside workload.yaml, e.g. extra-services.yaml or migration-services.yaml. */
  manifests: string[];
  /** Labels on the namespace beyond the run label. */
  labels?: Record<string, string>;
  /** A user's cluster may hold the seed's fixed NodePort: let the API allocate one. */
  allocateNodePorts?: boolean;
}

/** Creates the namespace, applies the seed's workload and waits until every pod is Ready. */
export async function deploySeedWorkload(k8s: K8s, o: WorkloadOptions): Promise<void> {
  await createNamespace(k8s, o.namespace, o.runId, o.labels);
  const objects: KubernetesObject[] = [];
  for (const file of ['workload.yaml', ...o.manifests]) objects.push(...(await loadManifest(file, o.namespace, o.runId, o.nodeName, o.images)));
  if (o.allocateNodePorts) for (const obj of objects) for (const p of (obj as { spec?: { ports?: { nodePort?: number }[] } }).spec?.ports ?? []) delete p.nodePort;
  await applyObjects(k8s, objects);
  await waitForPods(k8s, o.namespace, objects.filter((x) => x.kind === 'Pod').length, 5 * 60_000);
}
