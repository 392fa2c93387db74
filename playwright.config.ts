// The conformance suite: `npx playwright test` creates the IPVS kind cluster (and, for the rule-count claim
// only, an iptables-mode baseline),
// proves each claim in its own spec with evidence attached, and tears down what it created.
// The project's own unit, docker and lab tests are in playwright.dev.config.ts (`npm test`).
import { defineConfig } from '@playwright/test';

/**
 * The IPVS → nftables comparison builds a third cluster, so it runs only when asked for: `--project migration`
 * (or IPVS_CONFORMANCE_MIGRATION=1). The variable carries the choice to the worker processes, which load this
 * file again without the command line.
 */
const argv = process.argv;
const MIGRATION = process.env.IPVS_CONFORMANCE_MIGRATION === '1' || argv.some((a, i) => a === '--project=migration' || (a === '--project' && argv[i + 1] === 'migration'));
if (MIGRATION) process.env.IPVS_CONFORMANCE_MIGRATION = '1';

/** Where the HTML report and JUnit file go (default: the repo root); the project's own tests redirect it. */
const REPORT_DIR = process.env.IPVS_CONFORMANCE_REPORT_DIR ?? '.';

export default defineConfig({
  testDir: './tests/conformance',
  globalTeardown: './tests/conformance/global-teardown.ts',
  timeout: 5 * 60_000,
  expect: { timeout: 30_000 },
  // One shared pair of clusters: specs run one at a time.
  workers: 1,
  // The per-project limits hold even under `--workers N`: these specs share one cluster and its state.
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: `${REPORT_DIR}/playwright-report` }],
    ['junit', { outputFile: `${REPORT_DIR}/results/junit.xml` }],
    // summary.html beside the HTML report: the claim grid, each cell linked to its test.
    ['./helpers/report/summary-reporter.ts', { outputFolder: `${REPORT_DIR}/playwright-report`, title: 'ipvs-conformance', column: 'kind cluster (IPVS)' }],
  ],
  projects: [
    { workers: 1, name: 'setup', testMatch: /cluster\.setup\.ts/, teardown: 'teardown' },
    { workers: 1, name: 'teardown', testMatch: /cluster\.teardown\.ts/ },
    // Only the rule-count claim needs the iptables-mode baseline cluster: other selections never build it.
    { workers: 1, name: 'baseline-setup', testMatch: /baseline\.setup\.ts/, dependencies: ['setup'] },
    { workers: 1, name: 'conformance', testMatch: /.*\.spec\.ts/, testIgnore: [/rule-count\.spec\.ts/, /migration\.spec\.ts/], dependencies: ['setup'] },
    { workers: 1, name: 'rule-count', testMatch: /rule-count\.spec\.ts/, dependencies: ['baseline-setup'] },
    ...(MIGRATION
      ? [
          { workers: 1, name: 'migration-setup', testMatch: /migration\.setup\.ts/, dependencies: ['setup'] },
          { workers: 1, name: 'migration', testMatch: /migration\.spec\.ts/, dependencies: ['migration-setup'] },
        ]
      : []),
  ],
});
