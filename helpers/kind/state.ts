// What setup leaves for the specs and teardown, in a file: Playwright runs projects in separate workers.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Label on everything a run creates (namespace, objects, containers), valued with the run id. */
export const RUN_LABEL = 'ipvs-conformance/run';

export interface ClusterState {
  name: string;
  kubeconfig: string;
  context: string;
  /** True once this run has started `kind create cluster` for it: teardown may delete only such clusters. */
  createdByThisRun: boolean;
}

export interface SuiteState {
  runId: string;
  namespace: string;
  ipvs?: ClusterState;
  iptables?: ClusterState;
  /** The migration target, made only by `--project migration`. */
  nftables?: ClusterState;
  /** What an earlier run's state file said, read before this run overwrote it (for adopting its clusters). */
  previous?: Partial<Record<ClusterMode, ClusterState>>;
}

export type ClusterMode = 'ipvs' | 'iptables' | 'nftables';
export const CLUSTER_MODES: readonly ClusterMode[] = ['ipvs', 'iptables', 'nftables'];

export function statePath(stateDir: string): string {
  return join(stateDir, 'state.json');
}

export async function readState(stateDir: string): Promise<SuiteState | undefined> {
  const text = await readFile(statePath(stateDir), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as SuiteState);
}

export async function writeState(stateDir: string, state: SuiteState): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  await writeFile(statePath(stateDir), JSON.stringify(state, null, 2) + '\n');
}

export function newRunId(now = new Date()): string {
  return now.toISOString().replace(/[-:T.Z]/g, '').slice(0, 14) + Math.random().toString(36).slice(2, 6);
}

/**
 * Whether this run adopts cluster `name`: the state an earlier run left (read before this run overwrote it) says
 * that run created it and never finished its teardown, so this run deletes it at its end instead.
 */
export function adoptsCluster(state: Pick<SuiteState, 'previous'>, mode: ClusterMode, name: string): boolean {
  const before = state.previous?.[mode];
  return before?.name === name && before.createdByThisRun;
}
