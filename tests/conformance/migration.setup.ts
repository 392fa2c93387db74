// Migration setup project (`--project migration` only): the nftables-mode kind cluster with the seed's workload,
// and in both clusters svc-nodeport, the NodePort service the comparison needs.
import { test as setup } from '@playwright/test';
import { deployWorkload, readSettingsOrExplain, ready } from '../../fixtures/cluster-setup.js';
import { k8sClients } from '../../helpers/cluster/k8s.js';
import { applyObjects, loadManifest } from '../../helpers/kind/lifecycle.js';
import { checkNftablesImage } from '../../helpers/kind/preflight.js';
import { readState, writeState } from '../../helpers/kind/state.js';

setup('nftables-mode cluster, the same workload, and a NodePort service in both clusters', async () => {
  setup.setTimeout(30 * 60_000);
  const settings = readSettingsOrExplain();
  checkNftablesImage(settings.nodeImage);
  const state = await readState(settings.stateDir);
  if (!state?.ipvs) throw new Error(`no IPVS cluster in ${settings.stateDir}: the setup project must run first`);
  const name = settings.migrationClusterName;
  const nft = await setup.step(`cluster ${name} (nftables)`, () => ready(settings, state, 'nftables', state.previous));
  await setup.step(`workload in namespace ${state.namespace}`, () => deployWorkload(nft, name, state, settings, (n) => n.replace(/^myk8s-/, `${name}-`)));
  for (const k8s of [k8sClients(state.ipvs), nft]) {
    await setup.step(`svc-nodeport in ${k8s.target.context}`, async () => applyObjects(k8s, await loadManifest('migration-services.yaml', state.namespace, state.runId, () => undefined)));
  }
  await writeState(settings.stateDir, state);
});
