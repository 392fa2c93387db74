// The project's own tests (`npm test`): unit tests of parsers, claims and argv construction, docker-backed tests,
// the real-kube-proxy lab (Kubernetes' own binaries on a User-Mode Linux kernel), and the conformance suite of
// playwright.config.ts run for real on kind clusters built here (tests/kind).
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  globalSetup: './tests/lab/global-setup.ts',
  globalTeardown: './tests/lab/global-teardown.ts',
  forbidOnly: !!process.env.CI,
  // Two cores: a UML guest per worker; more workers only fight over the CPU.
  workers: 2,
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: 'playwright-report-dev' }],
    ['junit', { outputFile: 'results/dev-junit.xml' }],
    ['json', { outputFile: 'results/dev-results.json' }],
    ['./helpers/report/summary-reporter.ts', { outputFolder: 'playwright-report-dev', title: 'ipvs-conformance (npm test)' }],
  ],
  projects: [
    { name: 'unit', testDir: './tests/unit', testMatch: /.*\.test\.ts/ },
    { name: 'docker', testDir: './tests/docker', testMatch: /.*\.docker\.ts/, timeout: 120_000 },
    // The report as a reader sees it: summary.html and the HTML report in headless Chromium (Debian's).
    { name: 'report', testDir: './tests/report', testMatch: /.*\.report\.ts/, timeout: 180_000 },
    // Real control planes and kube-proxies: a scenario takes 2–4 minutes on UML's single vCPU.
    { name: 'lab-baseline', testDir: './tests/lab', testMatch: /baseline\.setup\.ts/, timeout: 180_000 },
    { name: 'lab', testDir: './tests/lab', testMatch: /.*\.lab\.ts/, timeout: 900_000, fullyParallel: true, dependencies: ['lab-baseline'], teardown: 'lab-matrix' },
    { name: 'lab-matrix', testDir: './tests/lab', testMatch: /matrix\.teardown\.ts/ },
    // The conformance suite itself (playwright.config.ts) on real kind clusters from bin/build-kind-images. After
    // the lab: on two cores, kind's control planes and the lab's UML guests would starve each other.
    { name: 'kind', testDir: './tests/kind', testMatch: /.*\.kind\.ts/, timeout: 40 * 60_000, workers: 1, dependencies: ['lab'] },
    // The scale benchmark runs only as `npm run lab:scale`: it measures, it does not test, and takes tens of minutes.
    ...(process.env.IPVS_CONFORMANCE_SCALE === '1' ? [{ name: 'lab-scale', testDir: './tests/lab', testMatch: /scale\.bench\.ts/, timeout: 90 * 60_000 }] : []),
  ],
});
