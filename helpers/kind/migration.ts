// The migration probes' sites on a kind cluster running the seed's workload: net-pod and its node, mypc outside,
// a worker's InternalIP for NodePorts (kind nodes have one address, so no "other address" probe here), the seed's
// svc-clusterip, and an address of the service range that no Service holds.
import { InputError } from '../snapshot/input-error.js';
import { ipv4ClusterIPs, type ClusterJson } from '../snapshot/model.js';
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
    clientPod: 'net-pod', clientNode: pod.spec.nodeName, outside: 'mypc',
    nodePortNode: { name: worker.name, internalIP: worker.internalIP },
    service: { clusterIP: svc.spec.clusterIP, port: 9000 }, unexposedPort: 9999,
    unallocatedIP: unallocatedClusterIP(cluster, '10.200.1.'),
  };
}

/** The highest address of a /24 service range that no Service holds (allocators hand out low addresses first). */
export function unallocatedClusterIP(cluster: ClusterJson, prefix: string): string {
  const used = new Set(cluster.services.flatMap(ipv4ClusterIPs));
  for (let host = 254; host > 1; host--) if (!used.has(`${prefix}${host}`)) return `${prefix}${host}`;
  throw new InputError(`every address of ${prefix}0/24 is a ClusterIP`);
}
