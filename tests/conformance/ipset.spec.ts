import { expect, test } from '../../fixtures/index.js';

test('ipset KUBE-CLUSTER-IP replaces the per-service iptables rules', { tag: '@ipset-replaces-per-service-rules' }, async ({ snapshot }) => {
  const snap = await snapshot.collect();
  const verdict = await snapshot.judge('ipset-replaces-per-service-rules', snap);
  expect(verdict.status, verdict.message).toBe('pass');
});
