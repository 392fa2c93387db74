// @ts-check
// npm run mutation: StrykerJS mutates the parsers, then the judge, and runs the fast unit subset of each
// (playwright.mutation.config.ts, MUTATION_SCOPE) against every mutant. Not part of CI. The score must stay ≥ 90%.
// Survivors that are equivalent (no observable behaviour differs) are explained below, next to where they are
// excluded; every other survivor gets a test.
const scope = process.env.MUTATION_SCOPE === 'claims' ? 'claims' : 'parsers';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'command',
  commandRunner: { command: `node node_modules/@playwright/test/cli.js test -c playwright.mutation.config.ts` },
  mutate: [`helpers/${scope}/**/*.ts`],
  coverageAnalysis: 'off',
  concurrency: 2,
  timeoutMS: 60000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `results/mutation/${scope}.html` },
  jsonReporter: { fileName: `results/mutation/${scope}.json` },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  thresholds: { high: 95, low: 90, break: 90 },
};
