// Baseline setup project: the iptables-mode cluster the rule-count claim compares with, and the same workload.
// Only the rule-count project depends on it, so `--grep @strict-arp` does not spend minutes building it.
import { test as setup } from '@playwright/test';
import { deployWorkload, readSettingsOrExplain, ready } from '../../fixtures/cluster-setup.js';
import { readState, writeState } from '../../helpers/kind/state.js';

setup('iptables-mode baseline cluster and workload', async () => {
  setup.setTimeout(30 * 60_000);
  const settings = readSettingsOrExplain();
  const state = await readState(settings.stateDir);
  if (!state) throw new Error(`no suite state in ${settings.stateDir}: the setup project must run first`);
  const base = await setup.step(`cluster ${settings.baselineClusterName} (iptables baseline)`, () => ready(settings, state, 'iptables', state.previous));
  // The baseline has one worker: every webpod goes there; net-pod is not needed.
  await setup.step(`workload in namespace ${state.namespace}`, () =>
    deployWorkload(base, settings.baselineClusterName, state, settings, (n) => (n.endsWith('control-plane') ? undefined : `${settings.baselineClusterName}-worker`)));
  await writeState(settings.stateDir, state);
});
