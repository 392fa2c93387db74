import { expect, expectIpvsMode, test } from '../../fixtures/index.js';
import { applyObjects, kubeIpvs0Addresses, loadManifest, pollNodesTogether } from '../../helpers/kind/lifecycle.js';

test.describe('kube-ipvs0 holds every ClusterIP', { tag: '@kube-ipvs0-holds-clusterips' }, () => {
  test('every node binds every ClusterIP on kube-ipvs0', async ({ snapshot }) => {
    const snap = await snapshot.collect();
    const verdict = await snapshot.judge('kube-ipvs0-holds-clusterips', snap);
    expect(verdict.status, verdict.message).toBe('pass');
  });

  test('a new ClusterIP appears on every node within the deadline, and vanishes after deletion', async ({ k8s, nodes, suite, settings }) => {
    await expectIpvsMode(k8s);
    // One deadline for all nodes together: a slow node must not get N times the deadline.
    const deadline = settings.convergenceSeconds * 1000;
    const byName = new Map(nodes.map((n) => [n.name, n]));
    const names = [...byName.keys()];
    const [svc] = await loadManifest('convergence-service.yaml', suite.namespace, suite.runId, (n) => n);
    await applyObjects(k8s, [svc!]);
    const ip = (await k8s.core.readNamespacedService({ name: 'svc-convergence', namespace: suite.namespace })).spec!.clusterIP!;
    const late = await test.step(`${ip} appears on every node’s kube-ipvs0 within ${settings.convergenceSeconds}s`, () =>
      pollNodesTogether(names, async (n) => (await kubeIpvs0Addresses(byName.get(n)!)).includes(ip), deadline));
    expect(late, `nodes whose kube-ipvs0 lacked ${ip} after ${settings.convergenceSeconds}s`).toEqual([]);
    await k8s.core.deleteNamespacedService({ name: 'svc-convergence', namespace: suite.namespace });
    const stale = await test.step(`${ip} leaves every node’s kube-ipvs0 within ${settings.convergenceSeconds}s`, () =>
      pollNodesTogether(names, async (n) => !(await kubeIpvs0Addresses(byName.get(n)!)).includes(ip), deadline));
    expect(stale, `nodes whose kube-ipvs0 still held ${ip} after ${settings.convergenceSeconds}s`).toEqual([]);
  });
});
