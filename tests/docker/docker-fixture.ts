import { test as base } from '@playwright/test';
import { dockerReachable, ensureStandinImage } from './standin.js';

/** Docker-backed tests need a real engine: skipped loudly without one, and a failure in CI (CI=true). */
export const test = base.extend<{ docker: void }>({
  docker: [
    async ({}, use, testInfo) => {
      const problem = await dockerReachable();
      if (problem) {
        const line = `DOCKER TESTS NOT RUN: no reachable Docker engine (${problem}); start dockerd`;
        if (process.env.CI) throw new Error(`${line} (CI=true: a skip is a failure)`);
        console.warn(`\n*** ${line} ***\n`);
        testInfo.skip(true, line);
      }
      await ensureStandinImage();
      await use();
    },
    { auto: true, timeout: 120_000 },
  ],
});

export { expect } from '@playwright/test';
