// The migration probes' sites on a kind cluster running the seed's workload: net-pod and its node, mypc outside,
// a worker's InternalIP for NodePorts (kind nodes have one address, so no "other address" probe here), the seed's
// svc-clusterip. No probe of an unallocated service address: in IPVS mode its SYN is routed out of the node and,
// through Docker's NAT, to the user's own network.
import { InputError } from '../snapshot/input-error.js';
import type { ProbeSites } from '../collectors/migration-probes.js';
import { readLiveClusterJson } from './collect-live.js';
import type { K8s } from './k8s.js';

export async function kindMigrationSites(k8s: K8s, namespace: string): Promise<ProbeSites> {
  const [cluster, svc, pod] = await Promise.all([
    readLiveClusterJson(k8s),
    k8s.core.readNamespacedService({ name: 'svc-clusterip', namespace }),
    k8s.core.readNamespacedPod({ name: 'net-pod', namespace }),
  ]);
  const worker = cluster.nodes.find((n) => n.name.endsWith('-worker'));
  if (!worker || !svc.spec?.clusterIP || !pod.spec?.nodeName) throw new InputError(`${namespace}: the seed's workload (net-pod, svc-clusterip, a -worker node) is not complete`);
  return {
    clientPod: 'net-pod', clientNode: pod.spec.nodeName, outside: 'mypc', ...(pod.status?.podIP && { clientPodIP: pod.status.podIP }),
    nodePortNode: { name: worker.name, internalIP: worker.internalIP },
    service: { clusterIP: svc.spec.clusterIP, port: 9000 }, unexposedPort: 9999,
  };
}
