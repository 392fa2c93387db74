import { existsSync } from 'node:fs';
import { restoreHost } from './host-effects.js';
import { createdBy, deleteCluster, deleteClusterArgv, deleteNamespace, kindClusters, readMarker, writeMarker } from './lifecycle.js';
import { k8sClients } from '../cluster/k8s.js';
import { sweepRunContainers } from './mypc.js';
import { mayDelete, type Marker } from './ownership.js';
import { checkoutId, isOurs, readLock, releaseLock } from './run-lock.js';
import type { SuiteSettings } from './settings.js';
import { CLUSTER_MODES, readState, writeState, type ClusterState, type SuiteState } from './state.js';

export interface CleanupReport {
  /** Clusters this run created and asked kind to delete. */
  deleted: string[];
  lines: string[];
}

/**
 * Removes what this run left: its namespace in each cluster, its mypc containers, and the clusters it created
 * (unless KEEP_CLUSTER), then puts the host back. It acts only for the run holding the checkout's lock, and
 * deletes a cluster only when its ownership marker, read again now, names this run. Safe after a failed or
 * half-finished setup, after Ctrl-C, and twice.
 */
export async function cleanupRun(settings: SuiteSettings): Promise<CleanupReport> {
  const report: CleanupReport = { deleted: [], lines: [] };
  const log = (line: string) => report.lines.push(line);
  const lock = await readLock(settings.stateDir);
  const state = await readState(settings.stateDir);
  if (!isOurs(lock) || !state || state.runId !== lock?.runId) {
    log(`this run holds no lock on ${settings.stateDir} (it created nothing, or the state is another run's): nothing to clean up`);
    return report;
  }
  const swept = await sweepRunContainers(state.runId).catch(() => 0);
  if (swept > 0) log(`removed ${swept} mypc container(s)`);
  const existing = await kindClusters().catch(() => [] as string[]);
  for (const key of CLUSTER_MODES) {
    const c = state[key];
    if (!c || !existing.includes(c.name)) continue;
    await cleanupCluster(settings, state, c, report);
    state[key] = { ...c, createdByThisRun: false };
  }
  const host = await restoreHost(state.hostBefore);
  for (const line of host.lines) log(line);
  if (host.restored) delete state.hostBefore;
  await writeState(settings.stateDir, state);
  await releaseLock(settings.stateDir);
  return report;
}

async function cleanupCluster(settings: SuiteSettings, state: SuiteState, c: ClusterState, report: CleanupReport): Promise<void> {
  const log = (line: string) => report.lines.push(line);
  const checkout = checkoutId(settings.stateDir);
  const marker = await readMarker(c).catch(() => undefined);
  // The nodes' creation times matter only for a cluster with no marker yet: no docker inspect otherwise.
  const nodesNewerThanCreateStart = marker === undefined && (await createdBy(c.name, c));
  const ours = mayDelete({ runId: state.runId, checkout, createStartedByThisRun: c.createdByThisRun, nodesNewerThanCreateStart, ...(marker && { marker }) });
  if (ours && !settings.keepCluster) {
    log(`kind ${deleteClusterArgv(c).join(' ')}`);
    await deleteCluster(c);
    report.deleted.push(c.name);
    return;
  }
  await removeNamespace(c, state.namespace, log);
  if (ours && marker) await keep(c, marker, log);
  else log(`keeping cluster ${c.name} (${ownerLine(marker, state.runId)})`);
}

/** KEEP_CLUSTER: later runs reuse the cluster and keep it too, instead of adopting it as an interrupted run's. */
async function keep(c: ClusterState, marker: Marker, log: (line: string) => void): Promise<void> {
  await writeMarker(c, { ...marker, kept: true }, 'replace').catch(() => undefined);
  log(`keeping cluster ${c.name} (KEEP_CLUSTER is set)`);
}

function ownerLine(marker: Marker | undefined, runId: string): string {
  if (!marker) return 'it has no ipvs-conformance marker';
  if (marker.kept) return 'an earlier run kept it with KEEP_CLUSTER';
  return marker.runId === runId ? 'KEEP_CLUSTER is set' : `its marker names run ${marker.runId ?? '(none)'}, not this one`;
}

async function removeNamespace(c: ClusterState, namespace: string, log: (line: string) => void): Promise<void> {
  if (!existsSync(c.kubeconfig)) return;
  try {
    await deleteNamespace(k8sClients(c), namespace);
    log(`deleted namespace ${namespace} in ${c.name}`);
  } catch (e) {
    log(`could not delete namespace ${namespace} in ${c.name}: ${(e as Error).message.split('\n')[0]}`);
  }
}
