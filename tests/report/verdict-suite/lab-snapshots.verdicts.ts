// Each lab scenario's committed snapshot judged with the claims engine, annotated and attached as a live spec is:
// one verdict annotation per claim against the lab's expectation, the evidence once per file under its claim, the
// balance chart. A scenario the lab expects to fail a claim passes here unless REPORT_EXPECT_ALL_PASS=1.
import { expect, test } from '@playwright/test';
import { join } from 'node:path';
import { attachBalanceChart, attachClaimEvidence } from '../../../fixtures/evidence.js';
import { evaluateSnapshot } from '../../../helpers/cli/evaluate.js';
import type { Status } from '../../../helpers/claims/types.js';
import { SCENARIOS } from '../../../helpers/lab/scenarios.js';
import { evidenceByClaim, failingFirst } from '../../../helpers/report/evidence.js';
import { verdictAnnotation } from '../../../helpers/report/verdict-annotations.js';
import { readRawNodeFiles } from '../../../helpers/snapshot/read.js';

export const REPORTED_SCENARIOS = ['conforming', 'proxy-down-backend-deleted', 'strict-arp-off'];
const SNAPSHOTS = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'lab-snapshots');

for (const name of REPORTED_SCENARIOS) {
  test(`${name} re-judged`, async ({}, testInfo) => {
    const scenario = SCENARIOS.find((s) => s.name === name)!;
    const dir = join(SNAPSHOTS, name);
    const { verdicts } = await evaluateSnapshot(dir, join(SNAPSHOTS, 'baseline'));
    const expected = (id: keyof typeof scenario.expect): Status => (process.env.REPORT_EXPECT_ALL_PASS === '1' ? 'pass' : scenario.expect[id]);
    testInfo.annotations.push({ type: 'scenario', description: name }, ...verdicts.map((v) => verdictAnnotation(v, expected(v.id))));
    const failing = verdicts.filter((v) => v.status === 'fail').map((v) => v.id);
    await attachClaimEvidence(evidenceByClaim(failingFirst(failing), await readRawNodeFiles(dir)));
    await attachBalanceChart(dir);
    for (const v of verdicts) expect.soft(v.status, `${v.id}: ${v.message}`).toBe(expected(v.id));
  });
}

test('a claim this run could not judge', { tag: '@strict-arp' }, () => {
  test.info().annotations.push({ type: 'cluster', description: 'a cluster without ARP probing' });
  test.skip(true, 'no host on the node network to send ARP from');
});
