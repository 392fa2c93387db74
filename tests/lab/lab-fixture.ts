import { test as base } from '@playwright/test';
import { missingKubeBinaries } from '../../helpers/lab/kube-binaries.js';
import { missingLabPrerequisites } from '../../helpers/lab/prerequisites.js';
import { skipLoudly } from '../support/loud-skip.js';

/**
 * Every lab test first checks that the real-kube-proxy lab can run here: root, UML and its tools, and
 * Kubernetes' own binaries built by bin/build-kube-binaries. Where it cannot, the test is skipped with one loud
 * line naming what is missing, except in CI (CI=true), where a skipped lab is a failure.
 */
export const test = base.extend<{ labReady: void }>({
  labReady: [
    async ({}, use, testInfo) => {
      const missing = [...missingLabPrerequisites(), ...missingKubeBinaries()];
      if (missing.length > 0) skipLoudly(testInfo, `LAB NOT RUN: the real-kube-proxy lab needs ${missing.join(', ')}`);
      await use();
    },
    { auto: true },
  ],
});

export { expect } from '@playwright/test';
