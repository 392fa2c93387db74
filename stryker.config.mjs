// @ts-check
// npm run mutation: StrykerJS mutates the parsers, then the claims judge, then the migration judge, and runs the fast unit subset of each
// (playwright.mutation.config.ts, MUTATION_SCOPE) against every mutant. Not part of CI. The score must stay ≥ 90%.
// Survivors that are equivalent (no observable behaviour differs) are excluded where they arise, with a
// `// Stryker disable next-line <mutator>: equivalent, <why>` comment on the line before; every other survivor gets
// a test. Excluded so far:
// - claims/fewer-iptables-rules…: the '(no node)' placeholder, only seen with no nodes, which the reader refuses;
// - claims/index.ts: the fallback for a failing verdict without evidence.failures (judge() always sets it);
// - claims/ipset-replaces…: the default for an absent nat table (a made-up chain name matches no pattern);
// - claims/ipvs-services-match…: dropping empty internalIPs (an empty address never equals a virtual server's);
// - claims/stats.ts: Q(a, 0) = 1 either way, the method switch at x = a + 1, and the series' stopping rule
//   (terms below 1e-15 of the sum change nothing);
// - parsers/ipset.ts: the initial "not in Members" state (the first line must be "Name:", which resets it);
// - parsers/iptables-save.ts: one or several spaces after a chain name; '-' lines other than -A (iptables-save
//   prints none); the chain of a rule line without one (every -A names its chain);
// - parsers/ipvs-table.ts: an empty catch block (it returns undefined too); the default for a missing header line
//   (the header check fails either way);
// - compare/timeline.ts, compare/switch-leftovers.ts: a made-up element in an empty default list (filtered out).
const scope = ['claims', 'compare', 'inplace'].includes(process.env.MUTATION_SCOPE ?? '') ? process.env.MUTATION_SCOPE : 'parsers';
/** MUTATION_SCOPE=inplace: the in-place migration's judge alone, against its own tests (a fast subset of compare). */
const INPLACE = ['helpers/compare/switch-leftovers.ts', 'helpers/compare/timeline.ts', 'helpers/compare/affinity-expiry.ts', 'helpers/parsers/affinity-entries.ts'];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'command',
  commandRunner: { command: `node node_modules/@playwright/test/cli.js test -c playwright.mutation.config.ts` },
  // The parsers scope also covers which parsed IPVS view the snapshot reader trusts.
  mutate: scope === 'inplace' ? INPLACE : [`helpers/${scope}/**/*.ts`, ...(scope === 'parsers' ? ['helpers/snapshot/ipvs-source.ts'] : [])],
  coverageAnalysis: 'off',
  concurrency: 2,
  timeoutMS: 60000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `results/mutation/${scope}.html` },
  jsonReporter: { fileName: `results/mutation/${scope}.json` },
  // The sandbox needs the sources and node_modules, not the kind root filesystems, clusters or reports (their
  // absolute symlinks cannot be copied).
  ignorePatterns: ['.cache', '.kind', '.kind-tests', '.lab', 'results', 'playwright-report', 'test-results*', 'dist'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  thresholds: { high: 95, low: 90, break: 90 },
};
