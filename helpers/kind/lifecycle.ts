// Cluster lifecycle as small composable steps: find, create or reuse (only with our ownership marker),
// deploy the workload into a per-run namespace, wait for convergence, and clean up only what this run made.
import { ApiException, AppsV1Api, loadAllYaml, type KubernetesObject, type V1Pod } from '@kubernetes/client-node';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { runOk } from '../exec/exec.js';
import type { NodeAccess } from '../collectors/node.js';
import { parseProcNetIpVs, vsKey } from '../parsers/ipvs-table.js';
import { k8sClients, type K8s } from '../cluster/k8s.js';
import type { PodImageStatus } from './diagnose.js';
import { kindConfigForImage } from './kind-config.js';
import { configHash, decideCluster, OWNER_CONFIGMAP, OWNER_NAMESPACE, type Marker } from './ownership.js';
import { checkoutId } from './run-lock.js';
import { checkHostPorts, PreflightError } from './preflight.js';
import { RUN_LABEL, type ClusterState } from './state.js';

// The checkout: two folders up from the sources, three from the built CLI (dist/helpers/kind).
const ROOT = [join(import.meta.dirname, '..', '..'), join(import.meta.dirname, '..', '..', '..')].find((d) => existsSync(join(d, 'fixtures', 'manifests')))!;
export const KIND_CONFIGS = { ipvs: join(ROOT, 'kind', 'ipvs.yaml'), iptables: join(ROOT, 'kind', 'iptables.yaml'), nftables: join(ROOT, 'kind', 'nftables.yaml') } as const;
export const MANIFESTS = join(ROOT, 'fixtures', 'manifests');

export async function kindClusters(): Promise<string[]> {
  const r = await execa('kind', ['get', 'clusters'], { reject: false });
  return String(r.stdout).split('\n').map((l) => l.trim()).filter(Boolean);
}

export interface EnsureClusterInput {
  name: string;
  kindConfig: string;
  nodeImage: string;
  stateDir: string;
  runId: string;
  /** What the previous state file said of this cluster: an interrupted run may have been creating it. */
  previous?: ClusterState;
  /** Called before `kind create` starts, so teardown knows to delete even a half-created cluster. */
  onCreating: (c: ClusterState) => Promise<void>;
  log: (line: string) => void;
}

/** Creates the cluster, or reuses it when our marker matches; refuses a cluster that is not ours. */
export async function ensureCluster(i: EnsureClusterInput): Promise<{ state: ClusterState; reused: boolean }> {
  // The seed's config, minus the feature gates this node image's Kubernetes no longer takes.
  const config = kindConfigForImage(await readFile(i.kindConfig, 'utf8'), i.nodeImage);
  const configFile = resolve(i.stateDir, `${i.name}.kind.yaml`);
  await writeFileSafe(configFile, config);
  const wantedHash = configHash(config, i.nodeImage);
  const state: ClusterState = { name: i.name, kubeconfig: resolve(i.stateDir, `${i.name}.kubeconfig`), context: `kind-${i.name}`, createdByThisRun: false };
  const exists = (await kindClusters()).includes(i.name);
  const { marker, unreachable } = exists ? await readMarkerOrUnreachable(state) : {};
  const halfCreatedByDeadRun = exists && marker === undefined && (await createdBy(i.name, i.previous));
  if (unreachable && !halfCreatedByDeadRun) throw unreachable;
  const checkout = checkoutId(i.stateDir);
  const decision = decideCluster({ name: i.name, exists, wantedHash, checkout, halfCreatedByDeadRun, ...(marker && { marker }) });
  if (decision.action === 'refuse') {
    await rm(state.kubeconfig, { force: true }); // fetched only to look for our marker; not ours to keep
    throw new PreflightError(decision.reason);
  }
  if (decision.action === 'reuse') {
    state.createdByThisRun = decision.adopt;
    // An interrupted run's cluster is adopted: this run deletes it at the end, as that run would have.
    if (decision.adopt) await writeMarker(state, { configHash: wantedHash, checkout, runId: i.runId }, 'replace');
    i.log(`reusing kind cluster ${i.name} (ownership marker matches ${wantedHash})${decision.adopt ? '; adopted from an interrupted run, so deleted at the end' : '; kept by an earlier run (KEEP_CLUSTER)'}`);
    return { state, reused: true };
  }
  if (decision.action === 'recreate') {
    i.log(`${decision.reason}: deleting it and creating it again`);
    await deleteCluster(state);
  }
  state.createdByThisRun = true;
  state.createStartedAt = new Date().toISOString();
  await checkHostPorts(config);
  await i.onCreating(state);
  i.log(`kind create cluster --name ${i.name} --image ${i.nodeImage} (a few minutes)`);
  // --kubeconfig keeps the user's own kubeconfig and current context untouched. No --wait: setup waits for the nodes
  // itself, after the IPVS preflight, so a node without IPVS is named at once instead of after minutes.
  await execa('kind', ['create', 'cluster', '--name', i.name, '--config', configFile, '--image', i.nodeImage, '--kubeconfig', state.kubeconfig], { timeout: 15 * 60_000 });
  await writeMarker(state, { configHash: wantedHash, checkout, runId: i.runId }, 'create');
  return { state, reused: false };
}

/** Whether a run's state says it started `kind create` for this cluster and the nodes are no older than that. */
export async function createdBy(name: string, c: ClusterState | undefined): Promise<boolean> {
  if (!c || c.name !== name || !c.createdByThisRun || !c.createStartedAt) return false;
  const started = Date.parse(c.createStartedAt);
  const created = await nodeCreationTimes(name);
  return created.length > 0 && created.every((t) => t >= started - 1_000);
}

async function nodeCreationTimes(name: string): Promise<number[]> {
  const nodes = await kindNodes(name);
  if (nodes.length === 0) return [];
  const r = await execa('docker', ['inspect', '--format', '{{.Created}}', ...nodes], { reject: false });
  return String(r.stdout).split('\n').filter(Boolean).map((t) => Date.parse(t));
}

/** One line for a cluster kind lists whose API server does not answer; the suite never deletes it itself. */
export function unreachableClusterLine(name: string, e: unknown): string {
  const code = (e as { code?: string }).code ?? (e as Error).message?.split('\n')[0] ?? String(e);
  return `kind cluster ${name} exists but its API server does not answer (${code}): its containers are stopped or it was half created; delete it with \`kind delete cluster --name ${name}\` and run again`;
}

/** Node container names of a kind cluster (`kind get nodes` reads Docker, never a kubeconfig). */
export async function kindNodes(name: string): Promise<string[]> {
  const r = await execa('kind', ['get', 'nodes', '--name', name], { reject: false });
  return String(r.stdout).split('\n').map((l) => l.trim()).filter(Boolean);
}

/** Reads our marker; a cluster whose kubeconfig we cannot even fetch is treated as not ours. */
export async function readMarker(state: ClusterState): Promise<Marker | undefined> {
  const kc = await execa('kind', ['get', 'kubeconfig', '--name', state.name], { reject: false });
  if (kc.exitCode !== 0) return undefined;
  await writeFileSafe(state.kubeconfig, String(kc.stdout));
  try {
    const cm = await k8sClients(state).core.readNamespacedConfigMap({ name: OWNER_CONFIGMAP, namespace: OWNER_NAMESPACE });
    const d = cm.data ?? {};
    if (!d.configHash) return undefined;
    return { configHash: d.configHash, ...(d.checkout && { checkout: d.checkout }), ...(d.runId && { runId: d.runId }), ...(d.kept === 'true' && { kept: true }) };
  } catch (e) {
    if (e instanceof ApiException && e.code === 404) return undefined;
    if (e instanceof ApiException) throw e;
    // Not an API answer at all: the containers are stopped or the cluster was half created.
    throw new PreflightError(unreachableClusterLine(state.name, e));
  }
}

/** A cluster whose API does not answer may be one a killed run was still creating: the caller decides. */
async function readMarkerOrUnreachable(state: ClusterState): Promise<{ marker?: Marker; unreachable?: PreflightError }> {
  try {
    const marker = await readMarker(state);
    return marker ? { marker } : {};
  } catch (e) {
    if (e instanceof PreflightError) return { unreachable: e };
    throw e;
  }
}

export async function writeMarker(state: ClusterState, m: Marker, how: 'create' | 'replace'): Promise<void> {
  const data: Record<string, string> = { configHash: m.configHash, ...(m.checkout && { checkout: m.checkout }), ...(m.runId && { runId: m.runId }), ...(m.kept && { kept: 'true' }), updatedAt: new Date().toISOString() };
  const body = { metadata: { name: OWNER_CONFIGMAP, labels: { 'app.kubernetes.io/managed-by': 'ipvs-conformance' } }, data };
  const core = k8sClients(state).core;
  if (how === 'create') await core.createNamespacedConfigMap({ namespace: OWNER_NAMESPACE, body });
  else await core.replaceNamespacedConfigMap({ name: OWNER_CONFIGMAP, namespace: OWNER_NAMESPACE, body });
}

async function writeFileSafe(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text, { mode: 0o600 });
}

/** `kind delete cluster` for a cluster of ours. --kubeconfig: without it kind edits $KUBECONFIG or ~/.kube/config. */
export function deleteClusterArgv(c: Pick<ClusterState, 'name' | 'kubeconfig'>): string[] {
  return ['delete', 'cluster', '--name', c.name, '--kubeconfig', c.kubeconfig];
}

export async function deleteCluster(c: Pick<ClusterState, 'name' | 'kubeconfig'>): Promise<void> {
  await execa('kind', deleteClusterArgv(c), { reject: false, timeout: 5 * 60_000 });
}

/** The Docker network a kind node container is attached to (kind's default is `kind`; KIND_EXPERIMENTAL_DOCKER_NETWORK changes it). */
export async function nodeDockerNetwork(node: string): Promise<string> {
  const r = await execa('docker', ['inspect', '--format', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}\n{{end}}', node], { reject: false });
  const network = String(r.stdout).split('\n').map((l) => l.trim()).find(Boolean);
  if (r.exitCode !== 0 || !network) throw new PreflightError(`cannot read the Docker network of node container ${node}: ${String(r.stderr).trim() || 'no network'}`);
  return network;
}

/**
 * Loads a manifest file into objects placed in `namespace`, with seed node names mapped onto this cluster and the
 * seed's images replaced as `images` says (a registry mirror, or images built here).
 */
export async function loadManifest(file: string, namespace: string, runId: string, nodeName: (seedName: string) => string | undefined, images: Record<string, string> = {}): Promise<KubernetesObject[]> {
  const docs = (loadAllYaml(await readFile(join(MANIFESTS, file), 'utf8')) as (KubernetesObject | null)[]).filter((d): d is KubernetesObject => d !== null);
  return docs.flatMap((d) => {
    const doc = structuredClone(d) as KubernetesObject & { spec?: { nodeName?: string; containers?: { image?: string }[] } };
    for (const c of doc.spec?.containers ?? []) if (c.image && images[c.image]) c.image = images[c.image];
    doc.metadata = { ...doc.metadata, namespace, labels: { ...doc.metadata?.labels, [RUN_LABEL]: runId } };
    if (doc.spec?.nodeName) {
      const mapped = nodeName(doc.spec.nodeName);
      if (mapped === undefined) return [];
      doc.spec.nodeName = mapped;
    }
    return [doc];
  });
}

export async function createNamespace(k8s: K8s, namespace: string, runId: string, labels: Record<string, string> = {}): Promise<void> {
  await k8s.core.createNamespace({ body: { metadata: { name: namespace, labels: { ...labels, [RUN_LABEL]: runId } } } });
}

export async function applyObjects(k8s: K8s, objects: KubernetesObject[]): Promise<void> {
  for (const o of objects) await k8s.objects.create(o);
}

/** Deletes the run's namespace; a namespace that is already gone is fine (teardown must be idempotent). */
export async function deleteNamespace(k8s: K8s, namespace: string): Promise<void> {
  try {
    await k8s.core.deleteNamespace({ name: namespace });
  } catch (e) {
    if (!(e instanceof ApiException && e.code === 404)) throw e;
  }
}

/** Deletes a namespace and waits, bounded, until it is gone: a next run may create it again at once. */
export async function deleteNamespaceAndWait(k8s: K8s, namespace: string, timeoutMs = 120_000): Promise<boolean> {
  await deleteNamespace(k8s, namespace);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const gone = await k8s.core.readNamespace({ name: namespace }).then(() => false, (e: unknown) => e instanceof ApiException && e.code === 404);
    if (gone) return true;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  return false;
}

/** Nodes and pods report readiness the same way: a `Ready` condition with status `True`. */
export function isReady(obj: { status?: { conditions?: { type: string; status: string }[] } }): boolean {
  return obj.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export async function nodesReady(k8s: K8s): Promise<string[]> {
  const nodes = await k8s.core.listNode();
  return nodes.items.filter(isReady).map((n) => n.metadata!.name!);
}

export async function kubeProxyRolledOut(k8s: K8s): Promise<boolean> {
  const ds = await k8s.kc.makeApiClient(AppsV1Api).readNamespacedDaemonSet({ name: 'kube-proxy', namespace: 'kube-system' });
  const s = ds.status;
  return !!s && s.desiredNumberScheduled > 0 && s.numberReady === s.desiredNumberScheduled && (s.updatedNumberScheduled ?? 0) === s.desiredNumberScheduled;
}

export async function podsReady(k8s: K8s, namespace: string): Promise<V1Pod[]> {
  const pods = await k8s.core.listNamespacedPod({ namespace });
  return pods.items.filter(isReady);
}

/** Each container's image and why it waits, for naming an image that cannot be pulled. */
export async function podImageStatuses(k8s: K8s, namespace: string): Promise<PodImageStatus[]> {
  const pods = await k8s.core.listNamespacedPod({ namespace });
  return pods.items.flatMap((p) =>
    (p.status?.containerStatuses ?? []).map((c) => ({
      pod: p.metadata!.name!, image: c.image,
      ...(c.state?.waiting?.reason && { reason: c.state.waiting.reason }), ...(c.state?.waiting?.message && { message: c.state.waiting.message }),
    })),
  );
}

/** Real servers with weight ≥ 1 of one virtual server on one node, read from its /proc/net/ip_vs. */
export async function liveRealServers(node: NodeAccess, protocol: string, clusterIP: string, port: number): Promise<string[]> {
  const table = parseProcNetIpVs(await runOk(node.shell, ['cat', '/proc/net/ip_vs']), `${node.name}:/proc/net/ip_vs`);
  const vs = table.find((v) => vsKey(v.protocol, v.address, v.port) === vsKey(protocol, clusterIP, port));
  return (vs?.realServers ?? []).filter((r) => r.weight > 0).map((r) => `${r.address}:${r.port}`).sort();
}
