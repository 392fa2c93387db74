// The fast unit subsets `npm run mutation` runs against each mutant (MUTATION_SCOPE=parsers|claims|compare): the
// parsers on real tool outputs, the claims or the migration judge on real lab snapshots; each plus the bad-input table.
// It stops at the first failure, since one failing test is enough to kill a mutant.
import { defineConfig } from '@playwright/test';

const SCOPES: Record<string, RegExp> = {
  parsers: /(parsers|bad-input|compare|scale|inplace-migration)\.test\.ts/,
  claims: /(claims|bad-input)\.test\.ts/,
  compare: /(compare|inplace-migration|streams|bad-input)\.test\.ts/,
  inplace: /inplace-migration\.test\.ts/,
};

export default defineConfig({
  testDir: './tests/unit',
  testMatch: SCOPES[process.env.MUTATION_SCOPE ?? ''] ?? /(claims|parsers|bad-input)\.test\.ts/,
  // MUTATION_GREP narrows a scope's tests to those a `--mutate` subset needs (e.g. `affinity`), for a quicker run.
  ...(process.env.MUTATION_GREP && { grep: new RegExp(process.env.MUTATION_GREP) }),
  timeout: 30_000,
  workers: 1,
  maxFailures: 1,
  reporter: 'dot',
  outputDir: 'test-results-mutation',
});
