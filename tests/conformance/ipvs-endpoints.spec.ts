import { expect, test } from '../../fixtures/index.js';

test('IPVS virtual servers match the ready endpoints', { tag: '@ipvs-services-match-endpoints' }, async ({ snapshot }) => {
  const snap = await snapshot.collect();
  const verdict = await snapshot.judge('ipvs-services-match-endpoints', snap);
  expect(verdict.status, verdict.message).toBe('pass');
});
