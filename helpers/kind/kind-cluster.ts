// A kind cluster behind the one Cluster interface: each node is a container, reached with `docker exec`.
import type { NodeAccess } from '../collectors/node.js';
import type { Exec } from '../exec/exec.js';
import { dockerExec, dockerNetnsExec, kubectlExec } from '../exec/process-exec.js';
import { localToolsImage } from './settings.js';
import { kubeProxyLogs } from '../cluster/collect.js';
import type { Cluster } from '../cluster/cluster.js';
import type { K8s } from '../cluster/k8s.js';
import { netPodExec, NET_POD } from '../cluster/workload.js';
import { InputError } from '../snapshot/input-error.js';

export interface KindClusterOptions {
  /** The namespace of the seed's workload, whose net-pod the probes run in. */
  workloadNamespace?: string;
  /** Hosts outside the cluster by name (the seed's mypc). */
  outside?: Record<string, Exec>;
  /** An image with ipvsadm, run in each node's netns (default MYPC_IMAGE, or nicolaka/netshoot). */
  toolsImage?: string;
}

export class KindCluster implements Cluster {
  constructor(
    readonly k8s: K8s,
    private readonly o: KindClusterOptions = {},
  ) {}

  get label(): string {
    return `${this.k8s.target.context} (docker exec)`;
  }

  /**
   * `docker exec` into each node's container (kind names containers after nodes), and `kubectl exec` into the
   * node's kube-proxy pod for `ipset`, which the kind node image lacks: kube-proxy's hostNetwork shares the node's sets.
   * ipvsadm, also missing there, runs in a throwaway container in the node's netns: the whole IPVS table by netlink.
   */
  async nodes(): Promise<NodeAccess[]> {
    const [nodes, proxies] = await Promise.all([
      this.k8s.core.listNode(),
      this.k8s.core.listNamespacedPod({ namespace: 'kube-system', labelSelector: 'k8s-app=kube-proxy' }),
    ]);
    return nodes.items.map((n) => {
      const name = n.metadata!.name!;
      const pod = proxies.items.find((p) => p.spec?.nodeName === name)?.metadata?.name;
      if (!pod) throw new InputError(`no kube-proxy pod runs on node ${name} (kube-system, k8s-app=kube-proxy); is kube-proxy rolled out as a DaemonSet, as on kind?`);
      const ipvsadm = dockerNetnsExec(name, this.o.toolsImage ?? localToolsImage(process.env));
      return { name, shell: dockerExec(name), ipset: kubectlExec(this.k8s.target, 'kube-system', pod, 'kube-proxy'), ipvsadm };
    });
  }

  /** net-pod in the workload namespace, a host outside by name, or else a node's container. */
  exec(name: string): Exec {
    const outside = this.o.outside?.[name];
    if (outside) return outside;
    if (name === NET_POD.name && this.o.workloadNamespace) return netPodExec(this.k8s, this.o.workloadNamespace);
    return dockerExec(name);
  }

  /** kube-proxy's log of every node, through the API. */
  async logs(): Promise<Record<string, string>> {
    return kubeProxyLogs(this.k8s);
  }
}
