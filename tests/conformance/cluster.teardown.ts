import { expect, test as teardown } from '@playwright/test';
import { cleanupRun } from '../../helpers/kind/cleanup.js';
import { kindClusters } from '../../helpers/kind/lifecycle.js';
import { readSettings, type SuiteSettings } from '../../helpers/kind/settings.js';
import { InputError } from '../../helpers/snapshot/input-error.js';

teardown('delete the run namespace, mypc, and clusters this run created', async ({}, testInfo) => {
  teardown.setTimeout(10 * 60_000);
  let settings: SuiteSettings;
  try {
    settings = readSettings();
  } catch (e) {
    // Setup refused the same bad variable before creating anything, so there is nothing to clean up.
    if (e instanceof InputError) return teardown.skip(true, `nothing to clean up: ${e.message}`);
    throw e;
  }
  const report = await cleanupRun(settings);
  await testInfo.attach('teardown.txt', { body: report.lines.join('\n') });
  // What this run deleted must really be gone; clusters it did not create were never touched.
  const remaining = await kindClusters().catch(() => [] as string[]);
  expect(report.deleted.filter((name) => remaining.includes(name)), 'clusters still present after kind delete').toEqual([]);
});
