import { expect, test } from '@playwright/test';
import { formatMatrix, readRows } from '../../helpers/lab/matrix.js';
import { SCENARIOS } from '../../helpers/lab/scenarios.js';

test('lab verdict matrix (scenario × claim)', async ({}, testInfo) => {
  const rows = await readRows();
  test.skip(rows.length === 0, 'no lab scenario ran in this invocation, so there is no matrix to print');
  const matrix = formatMatrix(rows, SCENARIOS.map((s) => s.name));
  console.log(`\nLab verdict matrix\n${matrix}\n`);
  await testInfo.attach('lab-verdict-matrix.txt', { body: matrix, contentType: 'text/plain' });
  // The matrix itself must agree: each violation fails its claim, conforming rows pass every claim.
  for (const r of rows) {
    if (r.breaks) expect(r.statuses[r.breaks], `${r.scenario} → ${r.breaks}`).toBe('fail');
    else expect(Object.values(r.statuses).every((s) => s === 'pass'), `${r.scenario} passes every claim`).toBe(true);
  }
});
