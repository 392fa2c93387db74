import { homedir } from 'node:os';
import { join } from 'node:path';
import { collectLiveSnapshot, netPodBalanceProbe, netPodExec, type LiveCollectOptions } from '../kind/collect-live.js';
import { k8sClients, type K8s } from '../kind/k8s.js';
import { InputError } from '../snapshot/input-error.js';
import { flagString, parseArgs } from './args.js';

/** `collect <dir> --context C [--kubeconfig F] [--namespace NS --service NAME] [--requests N]` */
export async function runCollect(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['context', 'kubeconfig', 'namespace', 'service', 'requests'], []);
  const [dir, extra] = args.positional;
  if (!dir || extra !== undefined) throw new InputError('collect takes exactly one <snapshot-dir>');
  const context = flagString(args, 'context');
  if (!context) throw new InputError('collect needs --context <kind-context> (the current context is never used implicitly)');
  const kubeconfig = flagString(args, 'kubeconfig') ?? process.env.KUBECONFIG?.split(':')[0] ?? join(homedir(), '.kube', 'config');
  const k8s = k8sClients({ kubeconfig, context });
  const opts = await balanceOptions(k8s, flagString(args, 'namespace'), flagString(args, 'service'), flagString(args, 'requests'));
  const snap = await collectLiveSnapshot(k8s, dir, { ...opts, progress: (line) => process.stderr.write(`collect: ${line}\n`) });
  process.stderr.write(`wrote ${dir}: ${snap.nodes.size} nodes, ${snap.cluster.services.length} services${snap.traffic ? `, ${snap.traffic.responses.length} balance responses` : ''}\n`);
  return 0;
}

async function balanceOptions(k8s: K8s, namespace?: string, service?: string, requests?: string): Promise<LiveCollectOptions> {
  if (!namespace && !service) return {};
  if (!namespace || !service) throw new InputError('--namespace and --service go together (the balance probe runs from net-pod in that namespace)');
  const n = requests === undefined ? 300 : Number(requests);
  if (!Number.isInteger(n) || n < 3) throw new InputError(`--requests must be a whole number ≥ 3, got ${requests}`);
  return { balance: { client: netPodExec(k8s, namespace), probe: await netPodBalanceProbe(k8s, namespace, service, n) } };
}
