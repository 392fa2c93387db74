import type { TestInfo } from '@playwright/test';

/** CI=true (or 1) means CI; CI=false, 0 or unset does not. */
export function isCI(env: NodeJS.ProcessEnv = process.env): boolean {
  return ['true', '1'].includes((env.CI ?? '').trim().toLowerCase());
}

/**
 * Skips the test with one loud line naming what is missing, except in CI, where a skip of these tests is a
 * failure: a green CI run must mean they ran.
 */
export function skipLoudly(testInfo: TestInfo, line: string): void {
  if (isCI()) throw new Error(`${line} (CI=true: a skip here is a failure)`);
  console.warn(`\n*** ${line} ***\n`);
  testInfo.skip(true, line);
}
