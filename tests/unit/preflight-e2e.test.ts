// `npx playwright test` on a machine without kind must stop at preflight with one clear line, no stack trace,
// and no claim reported as passed. Skipped where kind IS installed, since there it would create clusters.
import { expect, test } from '@playwright/test';
import { execa } from 'execa';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

test('without kind, the conformance suite stops at preflight with one actionable line', async () => {
  const kind = await execa('kind', ['version'], { reject: false });
  test.skip(kind.exitCode === 0, 'kind is installed here: running the real suite would create clusters');
  test.setTimeout(120_000);
  const r = await execa('npx', ['playwright', 'test', '--reporter=line', '--output', test.info().outputPath('pw')], {
    cwd: ROOT, reject: false, env: { IPVS_CONFORMANCE_STATE_DIR: test.info().outputPath('state'), IPVS_CONFORMANCE_REPORT_DIR: test.info().outputPath('report') },
  });
  const out = `${r.stdout}\n${r.stderr}`;
  await test.info().attach('npx playwright test', { body: out });
  expect(r.exitCode).toBe(1);
  const preflight = out.split('\n').filter((l) => l.includes('PreflightError'));
  expect(preflight).toHaveLength(1);
  expect(preflight[0]).toMatch(/(kind is not on PATH|Docker daemon is not reachable)/);
  expect(out).not.toMatch(/\n\s+at .*\.(ts|js):\d+/);
  // The claim specs did not run; only the teardown project (not a claim) may have passed.
  expect(out).toMatch(/\d+ did not run/);
  expect(out).not.toMatch(/\[conformance\].*✓/);
});
