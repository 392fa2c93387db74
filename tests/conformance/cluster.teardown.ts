import { expect, test as teardown } from '@playwright/test';
import { cleanupRun } from '../../helpers/kind/cleanup.js';
import { readSettings } from '../../helpers/kind/settings.js';

teardown('delete the run namespace, mypc, and clusters this run created', async ({}, testInfo) => {
  teardown.setTimeout(10 * 60_000);
  const lines: string[] = [];
  await cleanupRun(readSettings(), (l) => lines.push(l));
  await testInfo.attach('teardown.txt', { body: lines.join('\n') || 'nothing to clean up' });
  expect(lines.length).toBeGreaterThan(0);
});
