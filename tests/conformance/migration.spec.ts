// `npx playwright test --project migration`: the IPVS cluster and an nftables-mode cluster with the same
// workload, each probed from net-pod, a node and mypc, snapshotted, and compared row by row. The comparison is
// the code the lab proves on Kubernetes' own kube-proxy (tests/lab/migration.lab.ts); this spec only wires it.
import { expect, test } from '@playwright/test';
import { attachBalanceChart } from '../../fixtures/evidence.js';
import { compareSnapshots } from '../../helpers/compare/compare.js';
import { migrationHtml, migrationJson, migrationSummary, migrationText } from '../../helpers/compare/report.js';
import { collect } from '../../helpers/cluster/collect.js';
import { k8sClients } from '../../helpers/cluster/k8s.js';
import { netPodBalanceProbe, seedProbeSites } from '../../helpers/cluster/workload.js';
import { KindCluster } from '../../helpers/kind/kind-cluster.js';
import { nodeDockerNetwork } from '../../helpers/kind/lifecycle.js';
import { startMypc } from '../../helpers/kind/mypc.js';
import { checkoutId } from '../../helpers/kind/run-lock.js';
import { readSettings } from '../../helpers/kind/settings.js';
import { readState } from '../../helpers/kind/state.js';
import { readSnapshot } from '../../helpers/snapshot/read.js';

test('IPVS → nftables: the same Services behave the same, or differ as documented', { tag: '@migration' }, async ({}, testInfo) => {
  test.setTimeout(20 * 60_000);
  const settings = readSettings();
  const state = await readState(settings.stateDir);
  if (!state?.ipvs || !state.nftables) throw new Error(`no IPVS and nftables cluster state in ${settings.stateDir}: the setup and migration-setup projects did not finish`);
  const ns = state.namespace;
  const mypc = await startMypc(settings.mypcImage, await nodeDockerNetwork(`${state.ipvs.name}-control-plane`), state.runId, checkoutId(settings.stateDir));
  try {
    const dirs: string[] = [];
    for (const cluster of [state.ipvs, state.nftables]) {
      const k8s = k8sClients(cluster);
      const dir = testInfo.outputPath(cluster.name);
      const balance = { probe: await netPodBalanceProbe(k8s, ns, 'svc-clusterip', settings.requests) };
      const sites = await seedProbeSites(k8s, ns, 'mypc');
      const kind = new KindCluster(k8s, { workloadNamespace: ns, outside: { mypc: mypc.exec } });
      await test.step(`probe and snapshot ${cluster.name}`, () => collect(kind, dir, { balance, migration: { sites, namespaces: [ns, 'kube-system'] }, progress: (l) => console.log(`[migration] ${l}`) }));
      await attachBalanceChart(dir, `balance-${cluster.name}.svg`);
      dirs.push(dir);
    }
    const report = compareSnapshots(await readSnapshot(dirs[0]!), await readSnapshot(dirs[1]!));
    await testInfo.attach('migration.html', { body: migrationHtml(report), contentType: 'text/html' });
    await testInfo.attach('migration.json', { body: migrationJson(report), contentType: 'application/json' });
    testInfo.annotations.push({ type: 'migration', description: migrationSummary(report) });
    expect(report.ok, migrationText(report)).toBe(true);
  } finally {
    await mypc.stop();
  }
});
