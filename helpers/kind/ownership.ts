// The suite only ever reuses or deletes a cluster it can prove it created: a ConfigMap in kube-system carries
// a hash of the kind config it was created from, the checkout (state directory) whose run created it, and that
// run's id. Anything else with the same name is refused, never touched. Pure decisions, unit-tested.
import { createHash } from 'node:crypto';

export const OWNER_CONFIGMAP = 'ipvs-conformance-owner';
export const OWNER_NAMESPACE = 'kube-system';

export function configHash(kindConfig: string, nodeImage: string): string {
  return createHash('sha256').update(kindConfig).update('\0').update(nodeImage).digest('hex').slice(0, 16);
}

/** What our ownership ConfigMap says. */
export interface Marker {
  configHash: string;
  /** The state directory (absolute) of the checkout whose run created the cluster; absent in older markers. */
  checkout?: string;
  runId?: string;
  /** Set when a run's teardown kept the cluster on purpose (KEEP_CLUSTER): later runs reuse it and keep it. */
  kept?: boolean;
}

export type ClusterDecision =
  | { action: 'create' }
  /** `adopt`: an interrupted run of this checkout created it; this run deletes it at its end, as that one would have. */
  | { action: 'reuse'; adopt: boolean }
  /** A cluster this checkout's killed run was still creating: it has no marker yet and cannot be trusted. */
  | { action: 'recreate'; reason: string }
  | { action: 'refuse'; reason: string };

export interface ClusterFacts {
  name: string;
  exists: boolean;
  /** undefined when the cluster has no marker (not ours, or half created). */
  marker?: Marker;
  wantedHash: string;
  checkout: string;
  /** An earlier run of this checkout, now dead, recorded that it started `kind create` for this name. */
  halfCreatedByDeadRun: boolean;
}

export function decideCluster(f: ClusterFacts): ClusterDecision {
  if (!f.exists) return { action: 'create' };
  if (f.marker === undefined) {
    if (f.halfCreatedByDeadRun) return { action: 'recreate', reason: `kind cluster "${f.name}" was left half created by an interrupted run of this checkout` };
    return { action: 'refuse', reason: `a kind cluster named "${f.name}" exists but was not created by ipvs-conformance; delete it yourself or set KIND_CLUSTER_NAME to another name` };
  }
  if (f.marker.checkout !== undefined && f.marker.checkout !== f.checkout) {
    return { action: 'refuse', reason: `kind cluster "${f.name}" belongs to another ipvs-conformance checkout (${f.marker.checkout}); set KIND_CLUSTER_NAME to a name of this run's own` };
  }
  if (f.marker.configHash !== f.wantedHash) {
    return { action: 'refuse', reason: `kind cluster "${f.name}" was created by ipvs-conformance from a different config or image (hash ${f.marker.configHash}, now ${f.wantedHash}); run \`kind delete cluster --name ${f.name}\` to recreate it` };
  }
  return { action: 'reuse', adopt: f.marker.kept !== true };
}

/**
 * Whether teardown may delete a cluster that this run's state lists, judged on the marker read again now: only
 * with a marker naming this checkout and run (an adopted cluster's marker is rewritten to its adopter), or with no
 * marker when this run itself started `kind create` and the nodes are no older than that start.
 */
export function mayDelete(f: { marker?: Marker; runId: string; checkout: string; createStartedByThisRun: boolean; nodesNewerThanCreateStart: boolean }): boolean {
  if (f.marker === undefined) return f.createStartedByThisRun && f.nodesNewerThanCreateStart;
  return f.marker.checkout === f.checkout && f.marker.runId === f.runId && f.marker.kept !== true;
}
