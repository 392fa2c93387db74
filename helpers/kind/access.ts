import type { NodeAccess } from '../collectors/node.js';
import { dockerExec, kubectlExec } from '../exec/process-exec.js';
import { InputError } from '../snapshot/input-error.js';
import type { K8s } from './k8s.js';

/**
 * How to reach each kind node: `docker exec` into its container (kind names containers after nodes), and
 * `kubectl exec` into the kube-proxy pod on that node for `ipset`, which the kind node image lacks. kube-proxy
 * runs with hostNetwork, so its ipset sees the node's sets.
 */
export async function kindNodeAccess(k8s: K8s): Promise<NodeAccess[]> {
  const [nodes, proxies] = await Promise.all([
    k8s.core.listNode(),
    k8s.core.listNamespacedPod({ namespace: 'kube-system', labelSelector: 'k8s-app=kube-proxy' }),
  ]);
  return nodes.items.map((n) => {
    const name = n.metadata!.name!;
    const pod = proxies.items.find((p) => p.spec?.nodeName === name)?.metadata?.name;
    if (!pod) throw new InputError(`no kube-proxy pod runs on node ${name} (kube-system, k8s-app=kube-proxy); is kube-proxy rolled out as a DaemonSet, as on kind?`);
    return { name, shell: dockerExec(name), ipset: kubectlExec(k8s.target, 'kube-system', pod, 'kube-proxy') };
  });
}
