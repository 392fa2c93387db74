// Setup project: preflight, create or reuse the IPVS cluster and the iptables-mode baseline, deploy the seed's
// workload into a per-run namespace, and wait until every node's IPVS table shows the three ready backends.
import { expect, test as setup } from '@playwright/test';
import { dockerExec } from '../../helpers/exec/process-exec.js';
import { checkDocker, checkNodeHasIpvs, checkNodeImage, checkProxyMode, checkTool, PreflightError } from '../../helpers/kind/preflight.js';
import { k8sClients, type K8s } from '../../helpers/kind/k8s.js';
import {
  applyObjects, createNamespace, ensureCluster, KIND_CONFIGS, kubeProxyRolledOut, liveRealServers, loadManifest, nodesReady, podsReady,
} from '../../helpers/kind/lifecycle.js';
import { readSettings, type SuiteSettings } from '../../helpers/kind/settings.js';
import { newRunId, writeState, type SuiteState } from '../../helpers/kind/state.js';
import { InputError } from '../../helpers/snapshot/input-error.js';

const log = (line: string) => console.log(`[setup] ${line}`);

setup('preflight, clusters and workload', async ({}, testInfo) => {
  setup.setTimeout(30 * 60_000);
  const settings = await setup.step('preflight', async () => {
    const s = readSettingsOrExplain();
    const found = [await checkDocker(), `kind: ${await checkTool('kind')}`, `kubectl: ${await checkTool('kubectl')}`];
    const { warning } = checkNodeImage(s.nodeImage);
    if (warning) testInfo.annotations.push({ type: 'warning', description: warning });
    await testInfo.attach('preflight.txt', { body: [...found, `node image: ${s.nodeImage}`, ...(warning ? [warning] : [])].join('\n') });
    return s;
  });
  const state: SuiteState = { runId: newRunId(), namespace: '' };
  state.namespace = `ipvs-conformance-${state.runId}`;
  await writeState(settings.stateDir, state);

  const ipvs = await setup.step(`cluster ${settings.clusterName} (IPVS)`, () => ready(settings, state, 'ipvs'));
  const base = await setup.step(`cluster ${settings.baselineClusterName} (iptables baseline)`, () => ready(settings, state, 'iptables'));

  await setup.step(`workload in namespace ${state.namespace}`, async () => {
    await deployWorkload(ipvs, settings.clusterName, state, (n) => n.replace(/^myk8s-/, `${settings.clusterName}-`));
    // The baseline has one worker: every webpod goes there; net-pod is not needed.
    await deployWorkload(base, settings.baselineClusterName, state, (n) => (n.endsWith('control-plane') ? undefined : `${settings.baselineClusterName}-worker`));
  });

  await setup.step('every node’s IPVS table shows exactly the three ready backends of svc-clusterip', async () => {
    const svc = await ipvs.core.readNamespacedService({ name: 'svc-clusterip', namespace: state.namespace });
    const pods = await podsReady(ipvs, state.namespace);
    const backends = pods.filter((p) => p.metadata?.labels?.app === 'webpod').map((p) => `${p.status!.podIP!}:80`).sort();
    expect(backends).toHaveLength(3);
    for (const node of await nodesReady(ipvs)) {
      await expect.poll(() => liveRealServers(node, 'TCP', svc.spec!.clusterIP!, 9000), { message: `${node}: IPVS real servers of svc-clusterip`, timeout: 120_000 }).toEqual(backends);
    }
  });
  await testInfo.attach('state.json', { body: JSON.stringify(state, null, 2), contentType: 'application/json' });
});

function readSettingsOrExplain(): SuiteSettings {
  try {
    return readSettings();
  } catch (e) {
    if (e instanceof InputError) throw new PreflightError(e.message);
    throw e;
  }
}

async function ready(settings: SuiteSettings, state: SuiteState, mode: 'ipvs' | 'iptables'): Promise<K8s> {
  const name = mode === 'ipvs' ? settings.clusterName : settings.baselineClusterName;
  const { state: cluster } = await ensureCluster({
    name,
    kindConfig: KIND_CONFIGS[mode],
    nodeImage: settings.nodeImage,
    stateDir: settings.stateDir,
    log,
    onCreating: async (c) => {
      state[mode] = c;
      await writeState(settings.stateDir, state);
    },
  });
  state[mode] = cluster;
  await writeState(settings.stateDir, state);
  const k8s = k8sClients(cluster);
  await expect.poll(async () => (await nodesReady(k8s)).length, { message: `${name}: nodes Ready`, timeout: 5 * 60_000 }).toBe(mode === 'ipvs' ? 4 : 2);
  await expect.poll(() => kubeProxyRolledOut(k8s), { message: `${name}: kube-proxy rolled out`, timeout: 5 * 60_000 }).toBe(true);
  for (const node of await nodesReady(k8s)) {
    if (mode === 'ipvs') await checkNodeHasIpvs(node, dockerExec(node));
    await checkProxyMode(node, dockerExec(node), mode);
  }
  return k8s;
}

async function deployWorkload(k8s: K8s, cluster: string, state: SuiteState, nodeName: (seed: string) => string | undefined): Promise<void> {
  log(`deploying the seed workload and 10 extra services into ${cluster}/${state.namespace}`);
  await createNamespace(k8s, state.namespace, state.runId);
  const objects = [...(await loadManifest('workload.yaml', state.namespace, state.runId, nodeName)), ...(await loadManifest('extra-services.yaml', state.namespace, state.runId, nodeName))];
  await applyObjects(k8s, objects);
  const wanted = objects.filter((o) => o.kind === 'Pod').length;
  await expect.poll(async () => (await podsReady(k8s, state.namespace)).length, { message: `${cluster}: pods Ready`, timeout: 5 * 60_000 }).toBe(wanted);
}
