// `collect`: a snapshot of any cluster it is given, through node agents (default) or, on kind, docker exec.
// Read-only unless --workload: then the seed's workload runs in a namespace collect creates and deletes.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Cluster } from '../cluster/cluster.js';
import { collect, type CollectOptions } from '../cluster/collect.js';
import { k8sClients, type K8s } from '../cluster/k8s.js';
import { AGENT_IMAGE_SETTING, AgentCluster, DEFAULT_AGENT_IMAGE, expiresLabel, NodeAgents, removeExpiredNamespaces } from '../cluster/node-agents.js';
import { deploySeedWorkload, netPodBalanceProbe, seedNodeMap, seedProbeSites } from '../cluster/workload.js';
import { KindCluster } from '../kind/kind-cluster.js';
import { deleteNamespaceAndWait } from '../kind/lifecycle.js';
import { seedImageSettings, seedImages } from '../kind/settings.js';
import { newRunId } from '../kind/state.js';
import { InputError } from '../snapshot/input-error.js';
import { flagString, parseArgs } from './args.js';

/** The seed's workload on a user's cluster: one fixed name, so snapshots before and after a switch compare. */
export const WORKLOAD_NAMESPACE = 'ipvs-conformance-workload';

const progress = (line: string) => process.stderr.write(`collect: ${line}\n`);

/** `collect <dir> --context C [--kubeconfig F] [--nodes agents|docker] [--workload] [--namespace NS --service NAME] [--requests N]` */
export async function runCollect(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['context', 'kubeconfig', 'namespace', 'service', 'requests', 'nodes'], ['workload']);
  const [dir, extra] = args.positional;
  if (!dir || extra !== undefined) throw new InputError('collect takes exactly one <snapshot-dir>');
  const context = flagString(args, 'context');
  if (!context) throw new InputError('collect needs --context <context> (the current context is never used implicitly)');
  const nodes = flagString(args, 'nodes') ?? 'agents';
  if (nodes !== 'agents' && nodes !== 'docker') throw new InputError(`--nodes must be agents or docker, got ${nodes}`);
  const kubeconfig = flagString(args, 'kubeconfig') ?? process.env.KUBECONFIG?.split(':')[0] ?? join(homedir(), '.kube', 'config');
  const k8s = k8sClients({ kubeconfig, context });
  const requests = requestCount(flagString(args, 'requests'));
  const workload = args.flags.has('workload');
  const existing = existingNetPod(flagString(args, 'namespace'), flagString(args, 'service'));
  if (workload && existing) throw new InputError('--workload deploys its own net-pod: it does not go with --namespace/--service');
  return withCleanup(async (cleanups) => {
    const runId = newRunId();
    if (nodes === 'agents' || workload) for (const ns of await removeExpiredNamespaces(k8s)) progress(`deleted namespace ${ns}, left by an earlier run past its lifetime`);
    const namespace = workload ? WORKLOAD_NAMESPACE : existing?.namespace;
    const cluster = nodes === 'agents' ? await agentCluster(k8s, runId, cleanups, namespace) : new KindCluster(k8s, namespace ? { workloadNamespace: namespace } : {});
    const opts: CollectOptions = { progress };
    if (workload) Object.assign(opts, await deployWorkload(k8s, cluster, runId, requests, cleanups));
    if (existing) opts.balance = { probe: await netPodBalanceProbe(k8s, existing.namespace, existing.service, requests) };
    const snap = await collect(cluster, dir, opts);
    progress(`wrote ${dir}: ${snap.nodes.size} nodes, ${snap.cluster.services.length} services${snap.traffic ? `, ${snap.traffic.responses.length} balance responses` : ''}${snap.probes ? `, ${snap.probes.length} migration probes` : ''}`);
    return 0;
  });
}

function requestCount(raw: string | undefined): number {
  const n = raw === undefined ? 300 : Number(raw);
  if (!Number.isInteger(n) || n < 3) throw new InputError(`--requests must be a whole number ≥ 3, got ${raw}`);
  return n;
}

function existingNetPod(namespace?: string, service?: string): { namespace: string; service: string } | undefined {
  if (!namespace && !service) return undefined;
  if (!namespace || !service) throw new InputError('--namespace and --service go together (the balance probe runs from net-pod in that namespace)');
  return { namespace, service };
}

async function agentCluster(k8s: K8s, runId: string, cleanups: (() => Promise<void>)[], workloadNamespace?: string): Promise<Cluster> {
  const agents = await NodeAgents.start(k8s, { image: process.env[AGENT_IMAGE_SETTING] || DEFAULT_AGENT_IMAGE, runId, progress });
  cleanups.push(async () => {
    const gone = await agents.remove();
    progress(gone ? `deleted the node agents (namespace ${agents.namespace})` : `asked to delete namespace ${agents.namespace}; it was still terminating after 2 minutes`);
  });
  return new AgentCluster(k8s, agents, workloadNamespace);
}

/** The seed's workload and svc-nodeport, Ready, and the probes that run on them: balance and migration. */
async function deployWorkload(k8s: K8s, cluster: Cluster, runId: string, requests: number, cleanups: (() => Promise<void>)[]): Promise<CollectOptions> {
  if (await k8s.core.readNamespace({ name: WORKLOAD_NAMESPACE }).then(() => true, () => false)) {
    throw new InputError(`namespace ${WORKLOAD_NAMESPACE} already exists in ${k8s.target.context}: another collect --workload is running, or one was killed less than 30 minutes ago (delete it with kubectl --context ${k8s.target.context} delete namespace ${WORKLOAD_NAMESPACE})`);
  }
  cleanups.push(async () => {
    const gone = await deleteNamespaceAndWait(k8s, WORKLOAD_NAMESPACE);
    progress(gone ? `deleted namespace ${WORKLOAD_NAMESPACE}` : `asked to delete namespace ${WORKLOAD_NAMESPACE}; it was still terminating after 2 minutes`);
  });
  const images = seedImages(seedImageSettings(process.env));
  progress(`deploying the seed's workload into namespace ${WORKLOAD_NAMESPACE}`);
  const nodeName = seedNodeMap((await k8s.core.listNode()).items);
  await deploySeedWorkload(k8s, { namespace: WORKLOAD_NAMESPACE, runId, images, nodeName, manifests: ['migration-services.yaml'], labels: expiresLabel(), allocateNodePorts: true });
  const sites = await seedProbeSites(k8s, WORKLOAD_NAMESPACE, '');
  // "Outside" the NodePort's node: another node, through its agent (a user's cluster has no mypc).
  const others = (await cluster.nodes()).map((n) => n.name).filter((n) => n !== sites.nodePortNode.name);
  sites.outside = others[0] ?? sites.nodePortNode.name;
  return {
    balance: { probe: await netPodBalanceProbe(k8s, WORKLOAD_NAMESPACE, 'svc-clusterip', requests) },
    migration: { sites, namespaces: [WORKLOAD_NAMESPACE, 'kube-system'] },
  };
}

/** Runs `body`; then, on success, failure, Ctrl-C or SIGTERM, every cleanup it registered, last first. */
async function withCleanup(body: (cleanups: (() => Promise<void>)[]) => Promise<number>): Promise<number> {
  const cleanups: (() => Promise<void>)[] = [];
  const runAll = async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch((e: unknown) => progress(`cleanup failed: ${e instanceof Error ? e.message : String(e)}`));
  };
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = true;
    progress(`${signal}: removing what this run created`);
    void runAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await body(cleanups);
  } catch (e) {
    // Interrupted: the body fails as its namespaces go; the exit comes once the cleanup is done.
    if (interrupted) return new Promise<number>(() => undefined);
    throw e;
  } finally {
    await runAll();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
