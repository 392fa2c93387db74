// What setup leaves for the specs and teardown, in a file: Playwright runs projects in separate workers.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostBefore } from './host-effects.js';

/** Label on everything a run creates (namespace, objects, containers), valued with the run id. */
export const RUN_LABEL = 'ipvs-conformance/run';

export interface ClusterState {
  name: string;
  kubeconfig: string;
  context: string;
  /** True once this run has started `kind create cluster` for it (or adopted it from an interrupted run). */
  createdByThisRun: boolean;
  /** When this run started `kind create` (ISO time): nodes no older than this, with no marker yet, are its own. */
  createStartedAt?: string;
}

export interface SuiteState {
  runId: string;
  namespace: string;
  ipvs?: ClusterState;
  iptables?: ClusterState;
  /** The migration target, made only by `--project migration`. */
  nftables?: ClusterState;
  /** The clusters an earlier run's state file listed (it may have been killed while creating one). */
  previous?: Partial<Record<ClusterMode, ClusterState>>;
  /** The host before this run's first kind node (undefined when other kind nodes already ran): teardown restores it. */
  hostBefore?: HostBefore;
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
