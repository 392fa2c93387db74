// `npx playwright test` on a machine without kind must stop at preflight with one clear line, no stack trace,
// and no claim reported as passed. Skipped where kind IS installed, since there it would create clusters.
import { expect, test } from '@playwright/test';
import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

interface Report {
  suites: Suite[];
}
interface Suite {
  suites?: Suite[];
  specs?: { tests: { projectName: string; results: { status: string }[] }[] }[];
}

/** Every result status of the claim specs (projects conformance and rule-count); a test that did not run has none. */
function conformanceResults(report: Report): string[] {
  const walk = (s: Suite): { projectName: string; results: { status: string }[] }[] => [...(s.specs ?? []).flatMap((sp) => sp.tests), ...(s.suites ?? []).flatMap(walk)];
  const tests = report.suites.flatMap(walk).filter((t) => ['conformance', 'rule-count'].includes(t.projectName));
  return tests.flatMap((t) => (t.results.length === 0 ? ['did not run'] : t.results.map((x) => x.status)));
}

test('without kind, the conformance suite stops at preflight with one actionable line', async () => {
  const kind = await execa('kind', ['version'], { reject: false });
  test.skip(kind.exitCode === 0, 'kind is installed here: running the real suite would create clusters');
  test.setTimeout(120_000);
  const json = test.info().outputPath('results.json');
  const r = await execa('npx', ['playwright', 'test', '--reporter=line,json', '--output', test.info().outputPath('pw')], {
    cwd: ROOT, reject: false,
    env: { IPVS_CONFORMANCE_STATE_DIR: test.info().outputPath('state'), IPVS_CONFORMANCE_REPORT_DIR: test.info().outputPath('report'), PLAYWRIGHT_JSON_OUTPUT_NAME: json },
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
  const claimStatuses = conformanceResults(JSON.parse(await readFile(json, 'utf8')) as Report);
  expect(claimStatuses.length, 'the report lists the claim specs').toBeGreaterThanOrEqual(6);
  expect(claimStatuses.filter((s) => s === 'passed'), 'no claim passed').toEqual([]);
});
