import { expect, expectIpvsMode, test } from '../../fixtures/index.js';
import { judgeKubeIpvs0Convergence } from '../../helpers/claims/convergence.js';
import { applyObjects, loadManifest } from '../../helpers/kind/lifecycle.js';

test.describe('kube-ipvs0 holds every ClusterIP', { tag: '@kube-ipvs0-holds-clusterips' }, () => {
  test('every node binds every ClusterIP on kube-ipvs0', async ({ snapshot }) => {
    const snap = await snapshot.collect();
    const verdict = await snapshot.judge('kube-ipvs0-holds-clusterips', snap);
    expect(verdict.status, verdict.message).toBe('pass');
  });

  test('a new ClusterIP appears on every node within the deadline, and vanishes after deletion', async ({ k8s, suite, settings, snapshot }) => {
    await expectIpvsMode(k8s);
    // One deadline for all nodes together, each attempt a whole snapshot judged purely (and left to re-judge).
    const deadline = settings.convergenceSeconds * 1000;
    const [svc] = await loadManifest('convergence-service.yaml', suite.namespace, suite.runId, (n) => n);
    await applyObjects(k8s, [svc!]);
    const ip = (await k8s.core.readNamespacedService({ name: 'svc-convergence', namespace: suite.namespace })).spec!.clusterIP!;
    const appeared = await test.step(`${ip} appears on every node’s kube-ipvs0 within ${settings.convergenceSeconds}s`, () =>
      snapshot.collectUntil('after-create', (s) => judgeKubeIpvs0Convergence(s, ip, true), deadline));
    expect(appeared.status, appeared.message).toBe('pass');
    await k8s.core.deleteNamespacedService({ name: 'svc-convergence', namespace: suite.namespace });
    const left = await test.step(`${ip} leaves every node’s kube-ipvs0 within ${settings.convergenceSeconds}s`, () =>
      snapshot.collectUntil('after-delete', (s) => judgeKubeIpvs0Convergence(s, ip, false), deadline));
    expect(left.status, left.message).toBe('pass');
  });
});
