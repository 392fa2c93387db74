// A small suite the report test runs in its own Playwright process: it re-judges real lab snapshots
// (fixtures/lab-snapshots) as the lab does and reports them with the suite's own reporters, so the browser test
// reads a report made the way every run's is. REPORT_DIR says where; REPORT_EXPECT_ALL_PASS=1 makes a failing run.
import { defineConfig } from '@playwright/test';

const dir = process.env.REPORT_DIR ?? 'results/report-fixture';

export default defineConfig({
  testDir: '.',
  testMatch: /.*\.verdicts\.ts/,
  workers: 1,
  reporter: [
    ['html', { open: 'never', outputFolder: `${dir}/playwright-report` }],
    ['json', { outputFile: `${dir}/results.json` }],
    ['../../../helpers/report/summary-reporter.ts', { outputFolder: `${dir}/playwright-report`, title: 'lab snapshots re-judged' }],
  ],
  outputDir: `${dir}/test-results`,
});
