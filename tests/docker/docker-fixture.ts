import { test as base } from '@playwright/test';
import { skipLoudly } from '../support/loud-skip.js';
import { dockerReachable, ensureStandinImage } from './standin.js';

/** Docker-backed tests need a real engine: skipped loudly without one, and a failure in CI (CI=true). */
export const test = base.extend<{ docker: void }>({
  docker: [
    async ({}, use, testInfo) => {
      const problem = await dockerReachable();
      if (problem) {
        skipLoudly(testInfo, `DOCKER TESTS NOT RUN: no reachable Docker engine (${problem}); start dockerd`);
      }
      await ensureStandinImage();
      await use();
    },
    { auto: true, timeout: 120_000 },
  ],
});

export { expect } from '@playwright/test';
