// The suite only ever reuses or deletes a cluster it can prove it created: a ConfigMap in kube-system carries
// a hash of the kind config it was created from. Anything else with the same name is refused, never touched.
import { createHash } from 'node:crypto';

export const OWNER_CONFIGMAP = 'ipvs-conformance-owner';
export const OWNER_NAMESPACE = 'kube-system';

export function configHash(kindConfig: string, nodeImage: string): string {
  return createHash('sha256').update(kindConfig).update('\0').update(nodeImage).digest('hex').slice(0, 16);
}

export type ClusterDecision =
  | { action: 'create' }
  | { action: 'reuse' }
  | { action: 'refuse'; reason: string };

export interface ClusterFacts {
  name: string;
  exists: boolean;
  /** The hash in our ownership ConfigMap, undefined when the cluster has none (not ours). */
  markerHash?: string;
  wantedHash: string;
}

export function decideCluster(f: ClusterFacts): ClusterDecision {
  if (!f.exists) return { action: 'create' };
  if (f.markerHash === undefined) {
    return { action: 'refuse', reason: `a kind cluster named "${f.name}" exists but was not created by ipvs-conformance; delete it yourself or set KIND_CLUSTER_NAME to another name` };
  }
  if (f.markerHash !== f.wantedHash) {
    return { action: 'refuse', reason: `kind cluster "${f.name}" was created by ipvs-conformance from a different config or image (hash ${f.markerHash}, now ${f.wantedHash}); run \`kind delete cluster --name ${f.name}\` to recreate it` };
  }
  return { action: 'reuse' };
}
