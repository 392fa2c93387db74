import { expect, test } from '../../fixtures/index.js';
import { runOk } from '../../helpers/exec/exec.js';
import { balanceTestTimeoutMs } from '../../helpers/collectors/probes.js';
import { netPodBalanceProbe } from '../../helpers/cluster/workload.js';
import { balanceChart } from '../../helpers/report/balance-chart.js';

test('round-robin spreads new connections evenly', { tag: '@ipvs-rr-balanced' }, async ({ k8s, cluster, suite, settings, clientPod, snapshot }, testInfo) => {
  // The probe's own budget (30 s + 3 s per request, see runBalanceProbe) plus collection: it grows with REQUESTS.
  test.setTimeout(balanceTestTimeoutMs(settings.requests));
  const probe = await netPodBalanceProbe(k8s, suite.namespace, 'svc-clusterip', settings.requests);
  const clientNode = probe.clientNode;
  const snap = await snapshot.collect({ balance: { client: clientPod, probe } });
  const verdict = await snapshot.judge('ipvs-rr-balanced', snap);
  await testInfo.attach('distribution.svg', { body: balanceChart(snap.traffic!, verdict), contentType: 'image/svg+xml' });
  expect(verdict.status, verdict.message).toBe('pass');
  // The client node's kernel counters after the probe: InActConn holds the closed (TIME_WAIT) connections.
  await testInfo.attach(`${clientNode}: /proc/net/ip_vs after the probe`, { body: await runOk(cluster.exec(clientNode), ['cat', '/proc/net/ip_vs']) });
});
