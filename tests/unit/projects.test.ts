// The conformance suite's project graph: the iptables-mode baseline cluster (minutes to build) is set up only
// when the rule-count claim is selected. Checked with Playwright's own --list, so its dependency rules decide.
import { expect, test } from '@playwright/test';
import { execa } from 'execa';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const projectsFor = async (...args: string[]) => {
  const r = await execa('npx', ['playwright', 'test', '--list', ...args], { cwd: ROOT });
  return [...new Set([...String(r.stdout).matchAll(/^\s+\[([\w-]+)\]/gm)].map((m) => m[1]))];
};

test('--grep @strict-arp runs setup, the claim and teardown, but never the baseline cluster', async () => {
  expect(await projectsFor('--grep', '@strict-arp')).toEqual(['setup', 'teardown', 'conformance']);
});

test('--grep @fewer-iptables-rules-than-iptables-mode adds the baseline setup', async () => {
  expect(await projectsFor('--grep', '@fewer-iptables-rules-than-iptables-mode')).toEqual(['setup', 'teardown', 'baseline-setup', 'rule-count']);
});

test('the migration projects run only when asked for: --project migration adds its setup after the IPVS setup', async () => {
  expect(await projectsFor()).not.toContain('migration');
  expect(await projectsFor('--project', 'migration')).toEqual(['setup', 'teardown', 'migration-setup', 'migration']);
});

test('every project of the suite runs one spec at a time even under --workers N (they share one cluster and its state)', async () => {
  process.env.IPVS_CONFORMANCE_MIGRATION = '1';
  try {
    const config = (await import('../../playwright.config.js')).default;
    expect(config.projects!.map((p) => [p.name, p.workers])).toEqual(config.projects!.map((p) => [p.name, 1]));
    expect(config.projects!.map((p) => p.name)).toContain('migration');
  } finally {
    delete process.env.IPVS_CONFORMANCE_MIGRATION;
  }
});
