import { existsSync } from 'node:fs';
import { deleteCluster, deleteClusterArgv, deleteNamespace, kindClusters } from './lifecycle.js';
import { k8sClients } from './k8s.js';
import { sweepRunContainers } from './mypc.js';
import type { SuiteSettings } from './settings.js';
import { CLUSTER_MODES, readState, writeState, type ClusterState } from './state.js';

export interface CleanupReport {
  /** Clusters this run created and asked kind to delete. */
  deleted: string[];
  lines: string[];
}

/**
 * Removes what this run left: its namespace in each cluster, its mypc containers, and the clusters it created
 * (unless KEEP_CLUSTER). Safe to call after a failed or half-finished setup, after Ctrl-C, and twice.
 */
export async function cleanupRun(settings: SuiteSettings): Promise<CleanupReport> {
  const report: CleanupReport = { deleted: [], lines: [] };
  const log = (line: string) => report.lines.push(line);
  const state = await readState(settings.stateDir);
  if (!state) {
    log(`no suite state in ${settings.stateDir}: this run created nothing to clean up`);
    return report;
  }
  const swept = await sweepRunContainers(state.runId).catch(() => 0);
  if (swept > 0) log(`removed ${swept} mypc container(s)`);
  const existing = await kindClusters().catch(() => [] as string[]);
  for (const key of CLUSTER_MODES) {
    const c = state[key];
    if (!c || !existing.includes(c.name)) continue;
    if (c.createdByThisRun && !settings.keepCluster) {
      log(`kind ${deleteClusterArgv(c).join(' ')}`);
      await deleteCluster(c);
      report.deleted.push(c.name);
    } else {
      await removeNamespace(c, state.namespace, log);
      log(`keeping cluster ${c.name} (${c.createdByThisRun ? 'KEEP_CLUSTER is set' : 'this run did not create it'})`);
    }
    state[key] = { ...c, createdByThisRun: false };
  }
  await writeState(settings.stateDir, state);
  return report;
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
