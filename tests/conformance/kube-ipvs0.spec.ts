import { expect, test } from '../../fixtures/index.js';
import { applyObjects, kubeIpvs0Addresses, loadManifest } from '../../helpers/kind/lifecycle.js';

test.describe('kube-ipvs0 holds every ClusterIP', { tag: '@kube-ipvs0-holds-clusterips' }, () => {
  test('every node binds every ClusterIP on kube-ipvs0', async ({ snapshot }) => {
    const snap = await snapshot.collect();
    const verdict = await snapshot.judge('kube-ipvs0-holds-clusterips', snap);
    expect(verdict.status, verdict.message).toBe('pass');
  });

  test('a new ClusterIP appears on every node within the deadline, and vanishes after deletion', async ({ k8s, nodes, suite, settings }) => {
    const deadline = { timeout: settings.convergenceSeconds * 1000, intervals: [500, 1_000, 2_000] };
    const [svc] = await loadManifest('convergence-service.yaml', suite.namespace, suite.runId, (n) => n);
    await applyObjects(k8s, [svc!]);
    const ip = (await k8s.core.readNamespacedService({ name: 'svc-convergence', namespace: suite.namespace })).spec!.clusterIP!;
    for (const node of nodes) {
      await test.step(`${node.name}: ${ip} appears on kube-ipvs0 within ${settings.convergenceSeconds}s`, () =>
        expect.poll(() => kubeIpvs0Addresses(node.name), { ...deadline, message: `${node.name}: kube-ipvs0 has ${ip}` }).toContain(ip));
    }
    await k8s.core.deleteNamespacedService({ name: 'svc-convergence', namespace: suite.namespace });
    for (const node of nodes) {
      await test.step(`${node.name}: ${ip} leaves kube-ipvs0 within ${settings.convergenceSeconds}s`, () =>
        expect.poll(() => kubeIpvs0Addresses(node.name), { ...deadline, message: `${node.name}: kube-ipvs0 dropped ${ip}` }).not.toContain(ip));
    }
  });
});
