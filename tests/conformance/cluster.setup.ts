// Setup project: preflight, create or reuse the IPVS cluster and the iptables-mode baseline, deploy the seed's
// workload into a per-run namespace, and wait until every node's IPVS table shows the three ready backends.
import { expect, test as setup } from '@playwright/test';
import { execa } from 'execa';
import { dockerExec, kubectlBase } from '../../helpers/exec/process-exec.js';
import { explainKubeProxyLog } from '../../helpers/kind/diagnose.js';
import { kindVersionWarning } from '../../helpers/kind/kind-config.js';
import { checkDocker, checkInotify, checkNodeHasIpvs, checkNodeImage, checkProxyMode, checkTool, PreflightError } from '../../helpers/kind/preflight.js';
import { k8sClients, type K8s } from '../../helpers/kind/k8s.js';
import {
  applyObjects, createNamespace, ensureCluster, KIND_CONFIGS, kindNodes, kubeProxyRolledOut, liveRealServers, loadManifest, nodesReady, podsReady,
} from '../../helpers/kind/lifecycle.js';
import { readSettings, type SuiteSettings } from '../../helpers/kind/settings.js';
import { newRunId, readState, writeState, type ClusterState, type SuiteState } from '../../helpers/kind/state.js';
import { InputError } from '../../helpers/snapshot/input-error.js';

const log = (line: string) => console.log(`[setup] ${line}`);

setup('preflight, clusters and workload', async ({}, testInfo) => {
  setup.setTimeout(30 * 60_000);
  const settings = await setup.step('preflight', async () => {
    const s = readSettingsOrExplain();
    const kind = await checkTool('kind');
    const found = [await checkDocker(), `kind: ${kind}`, `kubectl: ${await checkTool('kubectl')}`];
    const warnings = [checkNodeImage(s.nodeImage).warning, kindVersionWarning(kind, s.nodeImage), await checkInotify()].filter((w): w is string => !!w);
    for (const w of warnings) {
      testInfo.annotations.push({ type: 'warning', description: w });
      log(`WARNING: ${w}`);
    }
    await testInfo.attach('preflight.txt', { body: [...found, `node image: ${s.nodeImage}`, ...warnings].join('\n') });
    return s;
  });
  // A run killed before its teardown left state behind: the clusters it created are adopted, never leaked.
  const previous = await readState(settings.stateDir);
  const state: SuiteState = { runId: newRunId(), namespace: '' };
  state.namespace = `ipvs-conformance-${state.runId}`;
  await writeState(settings.stateDir, state);

  const ipvs = await setup.step(`cluster ${settings.clusterName} (IPVS)`, () => ready(settings, state, 'ipvs', previous));
  const base = await setup.step(`cluster ${settings.baselineClusterName} (iptables baseline)`, () => ready(settings, state, 'iptables', previous));

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

async function ready(settings: SuiteSettings, state: SuiteState, mode: 'ipvs' | 'iptables', previous?: SuiteState): Promise<K8s> {
  const name = mode === 'ipvs' ? settings.clusterName : settings.baselineClusterName;
  const { state: cluster } = await ensureCluster({
    name,
    adopt: previous?.[mode]?.name === name && previous[mode].createdByThisRun,
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
  // Before any wait on kube-proxy: without IPVS it only crash-loops, and the wait would end in a bare timeout.
  if (mode === 'ipvs') for (const node of await kindNodes(name)) await checkNodeHasIpvs(node, dockerExec(node));
  await expect.poll(async () => (await nodesReady(k8s)).length, { message: `${name}: nodes Ready`, timeout: 5 * 60_000 }).toBe(mode === 'ipvs' ? 4 : 2);
  await waitForKubeProxy(k8s, cluster, name);
  for (const node of await nodesReady(k8s)) await checkProxyMode(node, dockerExec(node), mode);
  return k8s;
}

/** Waits for kube-proxy's rollout, reading its logs meanwhile: a known cause ends the wait with its one-line fix. */
async function waitForKubeProxy(k8s: K8s, cluster: ClusterState, name: string): Promise<void> {
  const deadline = Date.now() + 5 * 60_000;
  while (Date.now() < deadline) {
    if (await kubeProxyRolledOut(k8s).catch(() => false)) return;
    const cause = explainKubeProxyLog(await kubeProxyLogs(cluster));
    if (cause) throw new PreflightError(`${name}: ${cause}`);
    await new Promise((r) => setTimeout(r, 5_000));
  }
  throw new PreflightError(`${name}: kube-proxy did not roll out within 5 minutes and its log names no known cause; see \`kubectl --kubeconfig ${cluster.kubeconfig} -n kube-system logs ds/kube-proxy\``);
}

async function kubeProxyLogs(cluster: ClusterState): Promise<string> {
  const [file, ...pinned] = kubectlBase(cluster) as [string, ...string[]];
  const r = await execa(file, [...pinned, 'logs', '-n', 'kube-system', '-l', 'k8s-app=kube-proxy', '--tail=200', '--prefix'], { reject: false, timeout: 30_000 });
  return `${String(r.stdout)}\n${String(r.stderr)}`;
}

async function deployWorkload(k8s: K8s, cluster: string, state: SuiteState, nodeName: (seed: string) => string | undefined): Promise<void> {
  log(`deploying the seed workload and 10 extra services into ${cluster}/${state.namespace}`);
  await createNamespace(k8s, state.namespace, state.runId);
  const objects = [...(await loadManifest('workload.yaml', state.namespace, state.runId, nodeName)), ...(await loadManifest('extra-services.yaml', state.namespace, state.runId, nodeName))];
  await applyObjects(k8s, objects);
  const wanted = objects.filter((o) => o.kind === 'Pod').length;
  await expect.poll(async () => (await podsReady(k8s, state.namespace)).length, { message: `${cluster}: pods Ready`, timeout: 5 * 60_000 }).toBe(wanted);
}
