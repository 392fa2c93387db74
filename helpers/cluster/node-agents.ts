// Any cluster, reached through a kubeconfig alone: one short-lived privileged hostNetwork pod per node (a node
// agent) in a namespace of its own, and `kubectl exec` into it. hostNetwork puts the agent in the node's network
// namespace, so ip, ipvsadm, ipset, iptables, nft, sysctl and /proc/net/ip_vs read the node's own state.
import { ApiException, type V1Pod } from '@kubernetes/client-node';
import type { NodeAccess } from '../collectors/node.js';
import { ExecError, shellQuote, type Exec, type ExecOptions, type ExecResult } from '../exec/exec.js';
import { kubectlExec } from '../exec/process-exec.js';
import { createNamespace, deleteNamespace, deleteNamespaceAndWait, isReady } from '../kind/lifecycle.js';
import { RUN_LABEL } from '../kind/state.js';
import { InputError } from '../snapshot/input-error.js';
import { oneShellPerNode, type Cluster } from './cluster.js';
import { kubeProxyLogs } from './collect.js';
import type { K8s } from './k8s.js';
import { netPodExec, NET_POD, waitForPods } from './workload.js';

export const AGENT_IMAGE_SETTING = 'IPVS_CONFORMANCE_AGENT_IMAGE';
export const DEFAULT_AGENT_IMAGE = 'nicolaka/netshoot:v0.13';
/** Agents end themselves after this long, so even a run killed with SIGKILL leaves nothing running for long. */
export const AGENT_LIFETIME_S = 1800;
/** Namespaces the suite creates on a user's cluster carry this label: when they may be removed by any later run. */
export const EXPIRES_LABEL = 'ipvs-conformance/expires';

/** What the agents need; the README's "Your own cluster" lists the same. */
export const AGENT_PERMISSIONS = [
  'create, list and delete namespaces',
  'create, get, list and delete pods, and create pods/exec, in the agents\' namespace',
  'get, list nodes, services and endpointslices, and get configmap kube-system/kube-proxy',
  'privileged, hostNetwork pods (Pod Security "privileged" in that namespace; no policy engine denying them)',
];

/**
 * kubelet and kube-proxy mark the iptables backend they use with KUBE-IPTABLES-HINT: read that one, as the
 * node's own iptables-save would, whatever the agent image's default backend is.
 */
export const NODE_IPTABLES_SAVE = `for b in nft legacy; do if iptables-$b-save -t mangle 2>/dev/null | grep -q KUBE-IPTABLES-HINT; then exec iptables-$b-save; fi; done; exec iptables-save`;

/** The agent pod for one node: pinned to it, tolerating every taint, privileged, in the node's network. */
export function agentPod(index: number, node: string, image: string, runId: string): V1Pod {
  return {
    metadata: { name: `agent-${index}`, labels: { [RUN_LABEL]: runId, app: 'ipvs-conformance-agent' } },
    spec: {
      nodeName: node,
      hostNetwork: true,
      restartPolicy: 'Never',
      activeDeadlineSeconds: AGENT_LIFETIME_S,
      terminationGracePeriodSeconds: 0,
      automountServiceAccountToken: false,
      tolerations: [{ operator: 'Exists' }],
      containers: [{ name: 'agent', image, imagePullPolicy: 'IfNotPresent', command: ['sleep', String(AGENT_LIFETIME_S)], securityContext: { privileged: true } }],
    },
  };
}

/** The one line for a request the cluster refused (RBAC, Pod Security, an admission policy). */
export function refusalLine(context: string, what: string, e: unknown): string | undefined {
  if (!(e instanceof ApiException) || (e.code !== 403 && e.code !== 422 && e.code !== 400)) return undefined;
  const message = apiMessage(e.body).replace(/\s+/g, ' ').slice(0, 300);
  if (/PodSecurity|privileged|hostNetwork|admission|denied/i.test(message)) return `${context} forbids the node agents (privileged, hostNetwork pods): asked to ${what}, it answered: ${message}; see README "Your own cluster" for what they need`;
  if (e.code === 403) return `${context}: the credentials may not ${what} (${message}); the node agents need: ${AGENT_PERMISSIONS.join('; ')}`;
  return undefined;
}

function apiMessage(body: unknown): string {
  try {
    const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as { message?: string };
    return parsed?.message ?? String(body);
  } catch {
    return String(body);
  }
}

/** Runs a request of the agents' lifecycle; a refusal becomes its one line. */
async function refusable<T>(k8s: K8s, what: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    const line = refusalLine(k8s.target.context, what, e);
    throw line ? new InputError(line) : e;
  }
}

/** Deletes agent and workload namespaces of earlier runs whose lifetime is over (a run killed before its cleanup). */
export async function removeExpiredNamespaces(k8s: K8s, now = Date.now()): Promise<string[]> {
  const labelled = await refusable(k8s, 'list namespaces', () => k8s.core.listNamespace({ labelSelector: EXPIRES_LABEL }));
  const expired = labelled.items.filter((n) => Number(n.metadata?.labels?.[EXPIRES_LABEL]) * 1000 < now).map((n) => n.metadata!.name!);
  for (const name of expired) await deleteNamespace(k8s, name);
  return expired;
}

export function expiresLabel(now = Date.now()): Record<string, string> {
  return { [EXPIRES_LABEL]: String(Math.ceil(now / 1000) + AGENT_LIFETIME_S) };
}

export class NodeAgents {
  private constructor(
    private readonly k8s: K8s,
    readonly namespace: string,
    private readonly pods: Map<string, string>,
  ) {}

  /** One agent per node, Running, or nothing left behind and one line saying why. */
  static async start(k8s: K8s, o: { image: string; runId: string; progress?: (line: string) => void }): Promise<NodeAgents> {
    const namespace = `ipvs-conformance-agents-${o.runId}`;
    const listed = (await refusable(k8s, 'list nodes', () => k8s.core.listNode())).items;
    const notReady = listed.find((n) => !isReady(n));
    if (notReady) throw new InputError(`${k8s.target.context}: node ${notReady.metadata!.name!} is not Ready (no kubelet reports it so): no node agent can run there`);
    const pods = listed.map((n, i) => agentPod(i, n.metadata!.name!, o.image, o.runId));
    const labels = { ...expiresLabel(), 'pod-security.kubernetes.io/enforce': 'privileged' };
    await refusable(k8s, `create namespace ${namespace}`, () => createNamespace(k8s, namespace, o.runId, labels));
    const agents = new NodeAgents(k8s, namespace, new Map(pods.map((p) => [p.spec!.nodeName!, p.metadata!.name!])));
    try {
      for (const body of pods) await refusable(k8s, `create a privileged hostNetwork pod in ${namespace}`, () => k8s.core.createNamespacedPod({ namespace, body }));
      o.progress?.(`started ${pods.length} node agents (${o.image}) in namespace ${namespace}`);
      await waitForPods(k8s, namespace, pods.length, 3 * 60_000, () => AGENT_IMAGE_SETTING, 500);
      return agents;
    } catch (e) {
      await agents.remove();
      throw e;
    }
  }

  /** A shell on a node, through its agent. */
  exec(node: string): Exec {
    const pod = this.pods.get(node);
    if (!pod) throw new InputError(`no node agent runs on ${node}`);
    return agentExec(kubectlExec(this.k8s.target, this.namespace, pod, 'agent'), `agent on ${node}`);
  }

  access(): NodeAccess[] {
    return oneShellPerNode([...this.pods.keys()], (node) => this.exec(node));
  }

  /** Deletes the agents' namespace (and with it every agent) and waits until it is gone; safe to call twice. */
  async remove(): Promise<boolean> {
    return deleteNamespaceAndWait(this.k8s, this.namespace);
  }
}

const BATCH_MARK = '=== ipvs-conformance batch';

/** Where the agent runs `argv`: `iptables-save` reads the backend the node's kubelet and kube-proxy use. */
function onNode(argv: string[]): string[] {
  return argv.length === 1 && argv[0] === 'iptables-save' ? ['sh', '-c', NODE_IPTABLES_SAVE] : argv;
}

/** Several commands in one exec: each one's exit code, then its stdout and stderr in base64, one line each. */
export function batchScript(commands: string[][]): string {
  const one = (argv: string[], i: number) =>
    `${shellQuote(onNode(argv))} >"$d/o" 2>"$d/e"; echo "${BATCH_MARK} ${i} $?"; base64 <"$d/o" | tr -d '\\n'; echo; base64 <"$d/e" | tr -d '\\n'; echo`;
  return ['d=$(mktemp -d)', ...commands.map(one), 'rm -rf "$d"'].join('\n') + '\n';
}

/** The results of a batch, in order; a missing one is an error naming the target. */
export function parseBatch(out: string, count: number, label: string): ExecResult[] {
  const lines = out.split('\n');
  const results: ExecResult[] = [];
  for (let i = 0; i < count; i++) {
    const at = lines.findIndex((l) => l.startsWith(`${BATCH_MARK} ${i} `));
    if (at < 0 || at + 2 >= lines.length) throw new Error(`${label}: the batch printed no result for command ${i + 1} of ${count}`);
    const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
    results.push({ exitCode: Number(lines[at]!.split(' ').at(-1)), stdout: decode(lines[at + 1]!), stderr: decode(lines[at + 2]!) });
  }
  return results;
}

/** kubectl exec into a node's agent: one command, or a batch of them in one round trip. */
function agentExec(inner: Exec, label: string): Exec {
  return {
    label,
    run: (argv: string[], opts?: ExecOptions) => inner.run(onNode(argv), opts),
    async runAll(commands: string[][], opts?: ExecOptions): Promise<ExecResult[]> {
      const r = await inner.run(['sh', '-c', batchScript(commands)], opts);
      if (r.exitCode !== 0) throw new ExecError(label, ['sh', '-c', '(batch)'], r);
      return parseBatch(r.stdout, commands.length, label);
    },
  };
}

/** A cluster reached through its kubeconfig alone: nodes through their agents, probes from net-pod and nodes. */
export class AgentCluster implements Cluster {
  constructor(
    readonly k8s: K8s,
    private readonly agents: NodeAgents,
    private readonly workloadNamespace?: string,
  ) {}

  get label(): string {
    return `${this.k8s.target.context} (node agents)`;
  }

  nodes(): Promise<NodeAccess[]> {
    return Promise.resolve(this.agents.access());
  }

  exec(name: string): Exec {
    if (name === NET_POD.name && this.workloadNamespace) return netPodExec(this.k8s, this.workloadNamespace);
    return this.agents.exec(name);
  }

  logs(): Promise<Record<string, string>> {
    return kubeProxyLogs(this.k8s);
  }
}
