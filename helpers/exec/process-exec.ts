import { execa } from 'execa';
import type { Exec, ExecOptions, ExecResult } from './exec.js';

const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * A backend that runs a host program with a fixed argv prefix, e.g. `docker exec <node>` or
 * `kubectl --kubeconfig K --context C exec -n kube-system <pod> --`. The prefix is what differs per backend.
 */
export class ProcessExec implements Exec {
  constructor(
    readonly label: string,
    readonly prefix: readonly string[],
  ) {
    if (prefix.length === 0) throw new Error('ProcessExec needs a program');
  }

  /** The full argv this backend would run; exposed so unit tests can check construction without running it. */
  argvFor(argv: string[]): string[] {
    return [...this.prefix, ...argv];
  }

  async run(argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const [file, ...args] = this.argvFor(argv) as [string, ...string[]];
    const r = await execa(file, args, { reject: false, timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, stripFinalNewline: false });
    const stdout = String(r.stdout ?? '');
    if (r.timedOut) return { stdout, stderr: `timed out after ${opts.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`, exitCode: 124 };
    if (r.exitCode === undefined) return { stdout: '', stderr: r.shortMessage ?? 'could not start', exitCode: 127 };
    return { stdout, stderr: String(r.stderr ?? ''), exitCode: r.exitCode };
  }
}

/** `docker exec <container>`: how the suite reaches a kind node (each node is a container). */
export function dockerExec(container: string): ProcessExec {
  return new ProcessExec(`docker exec ${container}`, ['docker', 'exec', container]);
}

/**
 * A throwaway container of `image` in the network namespace of `container`, with NET_ADMIN (IPVS's netlink
 * interface requires it): tools the node image lacks, such as ipvsadm on a kind node, run against the node's state.
 */
export function dockerNetnsExec(container: string, image: string): ProcessExec {
  return new ProcessExec(`docker run --network container:${container} ${image}`, ['docker', 'run', '--rm', '--network', `container:${container}`, '--cap-add', 'NET_ADMIN', image]);
}

export interface KubectlTarget {
  kubeconfig: string;
  context: string;
}

/** `kubectl exec` into a pod, with kubeconfig and context pinned so the user's current context is never used. */
export function kubectlExec(target: KubectlTarget, namespace: string, pod: string, container?: string): ProcessExec {
  return new ProcessExec(`kubectl exec ${namespace}/${pod}`, [
    ...kubectlBase(target),
    'exec',
    '-n',
    namespace,
    pod,
    ...(container ? ['-c', container] : []),
    '--',
  ]);
}

export function kubectlBase(target: KubectlTarget): string[] {
  return ['kubectl', '--kubeconfig', target.kubeconfig, '--context', target.context];
}
