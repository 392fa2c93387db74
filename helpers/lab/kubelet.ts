// The lab has no kubelet: the harness plays its part against the real kube-apiserver. It registers the Nodes
// with their InternalIPs, creates the seed's Pods bound to them and patches their status to Running/Ready with
// the lab's real pod netns IPs, creates the Services, and writes kube-proxy's ConfigMap as kubeadm does on kind.
// The real EndpointSlice controller turns all of that into the slices kube-proxy programs from.
import { dumpYaml, type CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import type { K8s } from '../cluster/k8s.js';
import type { KubeProxyConfig } from '../snapshot/model.js';
import type { LabPod, LabTopology } from './topology.js';

const WAIT_MS = 30_000;

export async function registerNodes(core: CoreV1Api, t: LabTopology): Promise<void> {
  for (const n of t.nodes) {
    await core.createNode({ body: { metadata: { name: n.name, labels: { 'kubernetes.io/hostname': n.name, 'topology.kubernetes.io/zone': n.zone } } } });
    const node = await core.readNode({ name: n.name });
    node.status = { addresses: [{ type: 'InternalIP', address: n.ip }, { type: 'Hostname', address: n.name }] };
    await core.replaceNodeStatus({ name: n.name, body: node });
  }
}

/** kube-system/kube-proxy with `config.conf`, the shape `collect` reads on kind. */
export async function writeKubeProxyConfigMap(core: CoreV1Api, config: KubeProxyConfig, replace = false): Promise<void> {
  const body = { metadata: { name: 'kube-proxy', namespace: 'kube-system' }, data: { 'config.conf': dumpYaml(config) } };
  if (replace) await core.replaceNamespacedConfigMap({ name: 'kube-proxy', namespace: 'kube-system', body });
  else await core.createNamespacedConfigMap({ namespace: 'kube-system', body });
}

export async function createWorkload(k8s: K8s, t: LabTopology): Promise<void> {
  await waitFor('the default ServiceAccounts', async () => {
    const sas = await k8s.core.listServiceAccountForAllNamespaces();
    return ['default', 'kube-system'].every((ns) => sas.items.some((sa) => sa.metadata?.namespace === ns && sa.metadata.name === 'default'));
  });
  for (const p of t.pods) await startPod(k8s.core, p, t);
  for (const svc of t.services) await k8s.core.createNamespacedService({ namespace: svc.metadata!.namespace!, body: svc });
  for (const [name, ip] of Object.entries(t.loadBalancerIngress)) await publishIngress(k8s, 'default', name, ip);
}

/** What MetalLB or kube-vip does for a LoadBalancer Service: its ingress IP in the status. */
export async function publishIngress(k8s: K8s, namespace: string, name: string, ip: string): Promise<void> {
  const svc = await k8s.core.readNamespacedService({ name, namespace });
  svc.status = { loadBalancer: { ingress: [{ ip }] } };
  await k8s.core.replaceNamespacedServiceStatus({ name, namespace, body: svc });
}

/** Creates the Pod bound to its node, then reports it Running and Ready as the node's kubelet would. */
export async function startPod(core: CoreV1Api, p: LabPod, t: LabTopology): Promise<void> {
  const body: V1Pod = {
    metadata: { name: p.name, namespace: p.namespace, labels: p.labels },
    spec: { nodeName: p.node, containers: [{ name: 'main', image: 'ipvs-conformance.lab/none' }] },
  };
  const created = await core.createNamespacedPod({ namespace: p.namespace, body });
  const hostIP = t.nodes.find((n) => n.name === p.node)!.ip;
  const now = new Date();
  const cond = (type: string) => ({ type, status: 'True', lastTransitionTime: now });
  created.status = {
    phase: 'Running', podIP: p.ip, podIPs: [{ ip: p.ip }, ...(p.ip6 ? [{ ip: p.ip6 }] : [])], hostIP, hostIPs: [{ ip: hostIP }], startTime: now,
    conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map(cond),
  };
  await core.replaceNamespacedPodStatus({ name: p.name, namespace: p.namespace, body: created });
}

/** Deletes a Pod; with a grace period it stays Terminating (no kubelet finishes it), so its endpoint turns terminating. */
export async function deletePod(core: CoreV1Api, p: Pick<LabPod, 'name' | 'namespace'>, gracePeriodSeconds: number): Promise<void> {
  await core.deleteNamespacedPod({ name: p.name, namespace: p.namespace, gracePeriodSeconds });
}

/** Resolves when the EndpointSlices of a service satisfy `ok` (the controller works asynchronously). */
export async function waitForSlices(core: K8s, namespace: string, service: string, what: string, ok: (endpoints: SliceEndpoint[]) => boolean): Promise<void> {
  await waitFor(`${namespace}/${service}: ${what}`, async () => {
    const slices = await core.discovery.listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${service}` });
    return ok(slices.items.flatMap((s) => (s.endpoints ?? []).map((e) => ({ ip: e.addresses[0]!, ...e.conditions, zoneHints: e.hints?.forZones?.map((z) => z.name) }))));
  });
}

export interface SliceEndpoint {
  ip: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
  zoneHints?: string[];
}

async function waitFor(what: string, ok: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    if (await ok()) return;
    await sleep(200);
  }
  throw new Error(`lab: timed out after ${WAIT_MS} ms waiting for ${what}`);
}
