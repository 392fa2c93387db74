import { expect, expectIpvsMode, test } from '../../fixtures/index.js';
import { kubeProxyRuleCount } from '../../helpers/claims/fewer-iptables-rules-than-iptables-mode.js';
import { runOk } from '../../helpers/exec/exec.js';
import type { NodeAccess } from '../../helpers/collectors/node.js';
import { KindCluster } from '../../helpers/kind/kind-cluster.js';
import type { K8s } from '../../helpers/cluster/k8s.js';
import { applyObjects, loadManifest } from '../../helpers/kind/lifecycle.js';
import { parseIptablesSave } from '../../helpers/parsers/iptables-save.js';
import { barChart } from '../../helpers/report/svg.js';

/** kube-proxy rule count and the number of this run's svc-extra KUBE-SVC chains on one node, read live. */
async function count(node: NodeAccess, namespace: string): Promise<{ rules: number; extraServiceChains: number }> {
  const dump = parseIptablesSave(await runOk(node.shell, ['iptables-save']), `${node.name}: iptables-save`);
  // Only this run's namespace: another run's services in a shared cluster must not count.
  const extra = dump.rules.filter((r) => r.chain.startsWith('KUBE-SVC-') && r.tokens.some((t) => t.includes(`${namespace}/svc-extra-`)));
  const extraServiceChains = new Set(extra.map((r) => r.chain)).size;
  return { rules: kubeProxyRuleCount(dump), extraServiceChains };
}

async function setExtras(k8s: K8s, namespace: string, runId: string, present: boolean): Promise<void> {
  const extras = await loadManifest('extra-services.yaml', namespace, runId, (n) => n);
  if (present) await applyObjects(k8s, extras);
  else for (const s of extras) await k8s.core.deleteNamespacedService({ name: s.metadata!.name!, namespace });
}

test.describe('IPVS mode has fewer iptables rules than iptables mode', { tag: '@fewer-iptables-rules-than-iptables-mode' }, () => {
  test('at equal service load, every IPVS node has fewer kube-proxy rules than any iptables-mode node', async ({ snapshot, baselineK8s }, testInfo) => {
    const snap = await snapshot.collect();
    const baseline = await snapshot.collect({}, baselineK8s, 'baseline');
    const verdict = await snapshot.judge('fewer-iptables-rules-than-iptables-mode', snap, baseline);
    const bars = [...Object.entries(verdict.evidence.ipvsMode as Record<string, number>).map(([n, v]) => ({ label: `IPVS ${n}`, value: v })),
      ...Object.entries(verdict.evidence.iptablesMode as Record<string, number>).map(([n, v]) => ({ label: `iptables ${n}`, value: v }))];
    await testInfo.attach('rule-counts.svg', { body: barChart('kube-proxy iptables rules per node', bars, verdict.message), contentType: 'image/svg+xml' });
    expect(verdict.status, verdict.message).toBe('pass');
  });

  test('adding 10 services leaves the IPVS count unchanged while the iptables-mode count grows', async ({ k8s, baselineK8s, suite, nodes }, testInfo) => {
    await expectIpvsMode(k8s);
    const ipvsNode = nodes[0]!;
    const baseNode = (await new KindCluster(baselineK8s).nodes())[0]!;
    await setExtras(k8s, suite.namespace, suite.runId, false);
    await setExtras(baselineK8s, suite.namespace, suite.runId, false);
    await expect.poll(async () => (await count(baseNode, suite.namespace)).extraServiceChains, { message: 'iptables mode drops the extra services', timeout: 60_000 }).toBe(0);
    const before = { ipvs: await count(ipvsNode, suite.namespace), iptables: await count(baseNode, suite.namespace) };
    await setExtras(k8s, suite.namespace, suite.runId, true);
    await setExtras(baselineK8s, suite.namespace, suite.runId, true);
    await expect.poll(async () => (await count(baseNode, suite.namespace)).extraServiceChains, { message: 'iptables mode programs the 10 extra services', timeout: 60_000 }).toBe(10);
    const after = { ipvs: await count(ipvsNode, suite.namespace), iptables: await count(baseNode, suite.namespace) };
    const summary = `IPVS ${ipvsNode.name}: ${before.ipvs.rules} → ${after.ipvs.rules}; iptables ${baseNode.name}: ${before.iptables.rules} → ${after.iptables.rules}`;
    await testInfo.attach('rule-count-delta.txt', { body: summary });
    await testInfo.attach('rule-count-delta.svg', {
      body: barChart('kube-proxy rules before and after adding 10 services', [
        { label: 'IPVS before', value: before.ipvs.rules }, { label: 'IPVS after', value: after.ipvs.rules },
        { label: 'iptables before', value: before.iptables.rules }, { label: 'iptables after', value: after.iptables.rules },
      ], summary),
      contentType: 'image/svg+xml',
    });
    expect(after.ipvs.rules, summary).toBe(before.ipvs.rules);
    expect(after.iptables.rules, summary).toBeGreaterThan(before.iptables.rules);
  });
});
