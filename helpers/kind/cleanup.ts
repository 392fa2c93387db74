import { existsSync } from 'node:fs';
import { deleteCluster, deleteNamespace, kindClusters } from './lifecycle.js';
import { k8sClients } from './k8s.js';
import { sweepSuiteContainers } from './mypc.js';
import type { SuiteSettings } from './settings.js';
import { readState, writeState, type ClusterState } from './state.js';

/**
 * Removes what this run left: its namespace in each cluster, the mypc containers, and the clusters it created
 * (unless KEEP_CLUSTER). Safe to call after a failed or half-finished setup, after Ctrl-C, and twice.
 */
export async function cleanupRun(settings: SuiteSettings, log: (line: string) => void): Promise<void> {
  const state = await readState(settings.stateDir);
  const swept = await sweepSuiteContainers().catch(() => 0);
  if (swept > 0) log(`removed ${swept} mypc container(s)`);
  if (!state) return log('no suite state: nothing else to clean up');
  const existing = await kindClusters().catch(() => [] as string[]);
  for (const key of ['ipvs', 'iptables'] as const) {
    const c = state[key];
    if (!c || !existing.includes(c.name)) continue;
    if (c.createdByThisRun && !settings.keepCluster) {
      log(`kind delete cluster --name ${c.name}`);
      await deleteCluster(c.name);
    } else {
      await removeNamespace(c, state.namespace, log);
      log(`keeping cluster ${c.name} (${c.createdByThisRun ? 'KEEP_CLUSTER is set' : 'this run did not create it'})`);
    }
    state[key] = { ...c, createdByThisRun: false };
  }
  await writeState(settings.stateDir, state);
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
