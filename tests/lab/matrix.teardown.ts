import { expect, test } from '@playwright/test';
import { formatMatrix, readRows } from '../../helpers/lab/matrix.js';
import { SCENARIOS } from '../../helpers/lab/scenarios.js';

test('lab verdict matrix (scenario × claim)', async ({}, testInfo) => {
  const rows = await readRows();
  test.skip(rows.length === 0, 'no lab scenario ran in this invocation, so there is no matrix to print');
  const matrix = formatMatrix(rows, [...SCENARIOS.map((s) => s.name), 'iptables-cluster-as-ipvs']);
  console.log(`\nLab verdict matrix\n${matrix}\n`);
  await testInfo.attach('lab-verdict-matrix.txt', { body: matrix, contentType: 'text/plain' });
  for (const r of rows) expect(r.statuses, `${r.scenario}: every claim as expected`).toEqual(r.expected);
});
