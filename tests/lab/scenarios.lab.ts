// One Playwright test per lab scenario: bring up a real control plane and Kubernetes' own kube-proxy on every
// node netns of a UML guest, cause the scenario's real events, collect a snapshot with the product's own code,
// and judge it with `bin/ipvs-conformance evaluate` against the run's real iptables-mode baseline.
import { execa } from 'execa';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CLAIMS } from '../../helpers/claims/index.js';
import type { ClaimId, Status } from '../../helpers/claims/types.js';
import { LAB_BASELINE_DIR } from '../../helpers/lab/host-baseline.js';
import { LabCluster } from '../../helpers/lab/lab-cluster.js';
import { LAB_SNAPSHOTS_DIR, recordRow } from '../../helpers/lab/matrix.js';
import { SCENARIOS, type LabScenario } from '../../helpers/lab/scenarios.js';
import type { FactKit } from '../../helpers/lab/facts.js';
import { ipvsConfigLines, parseIpvsadm, parseProcNetIpVs } from '../../helpers/parsers/ipvs-table.js';
import { evidenceByClaim, failingFirst } from '../../helpers/report/evidence.js';
import { verdictAnnotation } from '../../helpers/report/verdict-annotations.js';
import { attachBalanceChart, attachClaimEvidence } from '../../fixtures/evidence.js';
import { PAGE_MARGIN, SEQ_FILE_PAGE } from '../../helpers/snapshot/ipvs-source.js';
import { readRawNodeFiles } from '../../helpers/snapshot/read.js';
import type { TestInfo } from '@playwright/test';
import { expect, test } from './lab-fixture.js';

const CLI = join(import.meta.dirname, '..', '..', 'bin', 'ipvs-conformance');
const BASELINE = join(LAB_BASELINE_DIR, 'snapshot');

interface CliVerdicts {
  claims: { id: ClaimId; status: Status; message: string; failures?: { message: string }[] }[];
}

/**
 * The real kernel printed both views. ipvsadm's netlink dump is whole; /proc/net/ip_vs may be cut once the table
 * outgrows one 4096-byte read (helpers/snapshot/ipvs-source.ts), so what it shows must be in ipvsadm's view, and
 * the two may differ only where ipvsadm's table is over a page. Returns, per node, how much /proc showed.
 */
async function expectIpvsSourcesAgree(snapshotDir: string): Promise<Record<string, string>> {
  const seen: Record<string, string> = {};
  for (const node of await readdir(join(snapshotDir, 'nodes'))) {
    const file = (f: string) => readFile(join(snapshotDir, 'nodes', node, f), 'utf8');
    const procText = await file('proc-net-ip_vs.txt');
    const proc = parseProcNetIpVs(procText);
    const whole = parseIpvsadm(await file('ipvsadm.txt'));
    expect(proc.length, `${node}: a non-empty IPVS table`).toBeGreaterThan(0);
    const wholeLines = new Set(ipvsConfigLines(whole));
    expect(ipvsConfigLines(proc).filter((l) => !wholeLines.has(l)), `${node}: every /proc line is in ipvsadm's view`).toEqual([]);
    if (proc.length < whole.length) expect(Buffer.byteLength(procText), `${node}: /proc cut only past one read`).toBeGreaterThan(SEQ_FILE_PAGE - PAGE_MARGIN);
    seen[node] = `/proc/net/ip_vs ${proc.length} of ${whole.length} virtual servers (${Buffer.byteLength(procText)} bytes)`;
  }
  return seen;
}

/** Judges a snapshot with the CLI, attaches the verdicts, records the matrix row, and checks all six verdicts. */
async function judgeAll(name: string, s: Pick<LabScenario, 'expect' | 'mustName'>, snapshotDir: string): Promise<void> {
  const args = ['evaluate', snapshotDir, '--baseline', BASELINE, '--json'];
  const cli = await test.step(`bin/ipvs-conformance ${args.join(' ')}`, () => execa(CLI, args, { reject: false }));
  await test.info().attach('verdicts.json', { body: cli.stdout || cli.stderr, contentType: 'application/json' });
  expect(cli.stderr, 'evaluate must accept the snapshot').toBe('');
  const verdicts = (JSON.parse(cli.stdout) as CliVerdicts).claims;
  test.info().annotations.push({ type: 'scenario', description: name }, ...verdicts.map((v) => verdictAnnotation(v, s.expect[v.id])));
  const statuses = Object.fromEntries(verdicts.map((v) => [v.id, v.status])) as Record<ClaimId, Status>;
  await recordRow({ scenario: name, expected: s.expect, statuses });
  for (const v of verdicts) {
    expect.soft(v.status, `${v.id}: ${v.message}`).toBe(s.expect[v.id]);
    // Every failure counts, not only the five the message lists.
    const all = (v.failures ?? []).map((f) => f.message).join('\n');
    for (const word of s.mustName?.[v.id] ?? []) expect.soft(all, `${v.id} names ${word}`).toContain(word);
  }
  expect(cli.exitCode, 'exit 0 when every claim passes, 1 when one fails').toBe(Object.values(s.expect).every((x) => x === 'pass') ? 0 : 1);
}

/** The kit a scenario's facts assert and attach with: this test's. */
function factKit(testInfo: TestInfo): FactKit {
  return {
    expect,
    attach: (name, body, contentType = 'text/plain') => testInfo.attach(name, { body, contentType }),
    outputPath: (name) => testInfo.outputPath(name),
    annotate: (type, description) => void testInfo.annotations.push({ type, description }),
  };
}

for (const scenario of SCENARIOS) {
  const failing = Object.entries(scenario.expect).filter(([, s]) => s === 'fail').map(([id]) => `@${id}`);
  test(`${scenario.name}: ${scenario.title}`, { tag: failing }, async ({}, testInfo) => {
    const snapshotDir = join(LAB_SNAPSHOTS_DIR, scenario.name);
    await rm(snapshotDir, { recursive: true, force: true });
    const lab = await test.step('real control plane, UML guest, kube-proxy on every node, first complete sync', () =>
      LabCluster.up(testInfo.outputPath('lab'), { ...scenario.cluster, log: (line) => console.log(`[${scenario.name}] ${line}`) }),
    );
    try {
      if (scenario.act) await test.step('the scenario’s real events', () => scenario.act!(lab));
      const { arpRaw } = await test.step('collect the snapshot, probe traffic and ARP', () => lab.snapshot(snapshotDir));
      if (arpRaw) await testInfo.attach('arping.txt', { body: arpRaw, contentType: 'text/plain' });
      await scenario.facts?.(lab, snapshotDir, factKit(testInfo));
    } finally {
      for (const [name, body] of Object.entries(await lab.logs())) await testInfo.attach(name, { body, contentType: 'text/plain' });
      await testInfo.attach('timings.txt', { body: lab.timings.map(([s, ms]) => `${(ms / 1000).toFixed(1).padStart(7)} s  ${s}`).join('\n'), contentType: 'text/plain' });
      await lab.down();
    }
    await testInfo.attach('snapshot/cluster.json', { path: join(snapshotDir, 'cluster.json'), contentType: 'application/json' });
    const claims = failingFirst(failing.map((t) => t.slice(1) as ClaimId));
    await attachClaimEvidence(evidenceByClaim(claims, await readRawNodeFiles(snapshotDir)));
    await attachBalanceChart(snapshotDir);
    const views = await test.step('ipvsadm -Ln is whole; /proc/net/ip_vs shows part of it at most', () => expectIpvsSourcesAgree(snapshotDir));
    await testInfo.attach('ipvs-table-views.json', { body: JSON.stringify(views, null, 2), contentType: 'application/json' });
    await judgeAll(scenario.name, scenario, snapshotDir);
  });
}

test('iptables-mode cluster judged as an IPVS cluster: every claim fails, saying kube-proxy runs in iptables mode', async () => {
  const expected = Object.fromEntries(CLAIMS.map((c) => [c.id, 'fail'])) as Record<ClaimId, Status>;
  const mustName = Object.fromEntries(Object.keys(expected).map((id) => [id, ['kube-proxy runs in iptables mode', 'base-worker: kube-proxy answers /proxyMode with "iptables"']]));
  await judgeAll('iptables-cluster-as-ipvs', { expect: expected, mustName }, BASELINE);
});
