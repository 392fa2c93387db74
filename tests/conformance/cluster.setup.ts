// Setup project: preflight, create or reuse the IPVS cluster, deploy the seed's workload into a per-run
// namespace, and wait until every node's IPVS table shows the three ready backends. The iptables-mode baseline
// is its own project (baseline.setup.ts), which only the rule-count spec depends on.
import { expect, test as setup } from '@playwright/test';
import { deployWorkload, kindConfigFor, kindConfigShape, log, readSettingsOrExplain, ready } from '../../fixtures/cluster-setup.js';
import { checkDocker, checkInotify, checkNodeImage, checkTool } from '../../helpers/kind/preflight.js';
import { kindVersionWarning } from '../../helpers/kind/kind-config.js';
import { KindCluster } from '../../helpers/kind/kind-cluster.js';
import { liveRealServers, podsReady } from '../../helpers/kind/lifecycle.js';
import { recordHostBefore } from '../../helpers/kind/host-effects.js';
import { sweepLeftoverContainers } from '../../helpers/kind/mypc.js';
import { PreflightError } from '../../helpers/kind/preflight.js';
import { checkoutId, takeLock } from '../../helpers/kind/run-lock.js';
import { newRunId, readState, writeState, type SuiteState } from '../../helpers/kind/state.js';

setup('preflight, IPVS cluster and workload', async ({}, testInfo) => {
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
  const state: SuiteState = { runId: newRunId(), namespace: '' };
  state.namespace = `ipvs-conformance-${state.runId}`;
  // One run per checkout: a second run refuses here, before it writes or deletes anything.
  const lock = await takeLock(settings.stateDir, state.runId);
  if (!lock.taken) throw new PreflightError(`another ipvs-conformance run (pid ${lock.holder.pid}, run ${lock.holder.runId}) is using ${settings.stateDir}; wait for it, or give this run its own IPVS_CONFORMANCE_STATE_DIR and KIND_CLUSTER_NAME`);
  // A run killed before its teardown left state behind: its containers go now; its clusters are adopted (or,
  // half created, made again) and its namespaces deleted as each cluster is reused.
  const previous = await readState(settings.stateDir);
  const swept = await sweepLeftoverContainers(checkoutId(settings.stateDir), state.runId);
  if (swept > 0) log(`removed ${swept} container(s) left by earlier runs of this checkout`);
  const hostBefore = previous?.hostBefore ?? (await recordHostBefore());
  if (hostBefore) state.hostBefore = hostBefore;
  if (previous) state.previous = { ...(previous.ipvs && { ipvs: previous.ipvs }), ...(previous.iptables && { iptables: previous.iptables }), ...(previous.nftables && { nftables: previous.nftables }) };
  await writeState(settings.stateDir, state);

  const ipvs = await setup.step(`cluster ${settings.clusterName} (IPVS)`, () => ready(settings, state, 'ipvs', state.previous));
  await setup.step(`workload in namespace ${state.namespace}`, () =>
    deployWorkload(ipvs, settings.clusterName, state, settings, (n) => n.replace(/^myk8s-/, `${settings.clusterName}-`)));

  const { proxyMode } = await kindConfigShape(kindConfigFor(settings, 'ipvs'));
  if (proxyMode !== 'ipvs') {
    const line = `${settings.clusterName} runs kube-proxy in ${proxyMode} mode (IPVS_CONFORMANCE_KIND_CONFIG): every claim is judged, and fails, leading with its mode`;
    testInfo.annotations.push({ type: 'warning', description: line });
    log(`WARNING: ${line}`);
  } else await setup.step('every node’s IPVS table shows exactly the three ready backends of svc-clusterip', async () => {
    const svc = await ipvs.core.readNamespacedService({ name: 'svc-clusterip', namespace: state.namespace });
    const pods = await podsReady(ipvs, state.namespace);
    const backends = pods.filter((p) => p.metadata?.labels?.app === 'webpod').map((p) => `${p.status!.podIP!}:80`).sort();
    expect(backends).toHaveLength(3);
    for (const node of await new KindCluster(ipvs).nodes()) {
      await expect.poll(() => liveRealServers(node, 'TCP', svc.spec!.clusterIP!, 9000), { message: `${node.name}: IPVS real servers of svc-clusterip`, timeout: 120_000 }).toEqual(backends);
    }
  });
  await testInfo.attach('state.json', { body: JSON.stringify(state, null, 2), contentType: 'application/json' });
});
