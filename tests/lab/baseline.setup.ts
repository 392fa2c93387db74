// The lab's iptables-mode baseline, built once per run before the scenarios: real kube-proxy in iptables mode
// in host network namespaces, with the seed's workload. Every scenario's rule-count claim compares with it.
import { LAB_BASELINE_DIR, runIptablesBaseline } from '../../helpers/lab/host-baseline.js';
import { expect, test } from './lab-fixture.js';

test('iptables-mode baseline: real kube-proxy in iptables mode in host network namespaces', async ({}, testInfo) => {
  const run = await test.step('control plane, workload, kube-proxy in iptables mode, collect', () => runIptablesBaseline(LAB_BASELINE_DIR, (l) => console.log(`[baseline] ${l}`)));
  for (const [name, log] of Object.entries(run.logs)) {
    await testInfo.attach(name, { body: log, contentType: 'text/plain' });
    expect(log, `${name}: kube-proxy says which proxier it uses`).toContain('Using iptables Proxier');
  }
  await testInfo.attach('baseline snapshot dir', { body: run.snapshotDir, contentType: 'text/plain' });
});
