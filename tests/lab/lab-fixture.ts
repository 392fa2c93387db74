import { test as base, type TestInfo } from '@playwright/test';
import { missingLabPrerequisites } from '../../helpers/lab/prerequisites.js';

/**
 * Every lab test first checks that the real-kernel lab can run here. Where it cannot, the test is skipped with
 * one loud line naming what is missing, except in CI (CI=true), where a skipped lab is a failure.
 */
export const test = base.extend<{ labReady: void }>({
  labReady: [
    async ({}, use, testInfo: TestInfo) => {
      const missing = missingLabPrerequisites();
      if (missing.length > 0) {
        const line = `LAB NOT RUN: the real-kernel lab needs ${missing.join(', ')}`;
        if (process.env.CI) throw new Error(`${line} (CI=true: a skipped lab is a failure)`);
        console.warn(`\n*** ${line} ***\n`);
        testInfo.skip(true, line);
      }
      await use();
    },
    { auto: true },
  ],
});

export { expect } from '@playwright/test';
