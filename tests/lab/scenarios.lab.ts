// One Playwright test per lab scenario: build the seed cluster on a real Linux kernel (UML), break one thing,
// collect a snapshot with the kind suite's collectors, and judge it with `bin/ipvs-conformance evaluate`.
import { execa } from 'execa';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ipvsConfigLines, parseIpvsadm, parseProcNetIpVs } from '../../helpers/parsers/ipvs-table.js';
import type { ClaimId, Status } from '../../helpers/claims/types.js';
import { recordRow } from '../../helpers/lab/matrix.js';
import { runScenario } from '../../helpers/lab/run-scenario.js';
import { SCENARIOS } from '../../helpers/lab/scenarios.js';
import { evidenceFiles } from '../../helpers/report/evidence.js';
import { readRawNodeFiles } from '../../helpers/snapshot/read.js';
import { expect, test } from './lab-fixture.js';

const CLI = join(import.meta.dirname, '..', '..', 'bin', 'ipvs-conformance');

/** The real kernel printed both views; the two parsers must read the same configuration from them. */
async function expectIpvsSourcesAgree(snapshotDir: string): Promise<void> {
  for (const node of await readdir(join(snapshotDir, 'nodes'))) {
    const file = (f: string) => readFile(join(snapshotDir, 'nodes', node, f), 'utf8');
    const proc = ipvsConfigLines(parseProcNetIpVs(await file('proc-net-ip_vs.txt')));
    expect(proc.length, `${node}: a non-empty IPVS table`).toBeGreaterThan(0);
    expect(ipvsConfigLines(parseIpvsadm(await file('ipvsadm.txt'))), node).toEqual(proc);
  }
}

async function expectNoIpvsadm(snapshotDir: string): Promise<void> {
  for (const node of await readdir(join(snapshotDir, 'nodes'))) {
    expect(await readdir(join(snapshotDir, 'nodes', node)), node).not.toContain('ipvsadm.txt');
  }
}

interface CliVerdicts {
  claims: { id: ClaimId; status: Status; message: string }[];
}

for (const scenario of SCENARIOS) {
  const tag = scenario.breaks ? [`@${scenario.breaks}`] : [];
  test(`${scenario.name}: ${scenario.title}`, { tag }, async ({}, testInfo) => {
    const run = await test.step('build the cluster in a UML guest, collect the snapshot, probe', () =>
      runScenario(scenario, testInfo.outputPath('lab'), (line) => console.log(`[${scenario.name}] ${line}`)),
    );
    for (const [name, body] of Object.entries(run.evidence)) await testInfo.attach(name, { body, contentType: 'text/plain' });

    const args = ['evaluate', run.snapshotDir, '--baseline', run.baselineDir, '--json'];
    const cli = await test.step(`bin/ipvs-conformance ${args.join(' ')}`, () => execa(CLI, args, { reject: false }));
    await testInfo.attach('verdicts.json', { body: cli.stdout || cli.stderr, contentType: 'application/json' });
    // The raw kernel outputs the targeted claim judged (for a conforming scenario, those of the balance claim).
    const nodes = await readRawNodeFiles(run.snapshotDir);
    for (const f of evidenceFiles(scenario.breaks ?? 'ipvs-rr-balanced', nodes)) await testInfo.attach(f.name, { body: f.body, contentType: f.contentType });
    expect(cli.stderr, 'evaluate must accept the lab snapshot').toBe('');
    const verdicts = (JSON.parse(cli.stdout) as CliVerdicts).claims;
    await recordRow({ scenario: scenario.name, ...(scenario.breaks && { breaks: scenario.breaks }), statuses: Object.fromEntries(verdicts.map((v) => [v.id, v.status])) });

    if (scenario.withoutIpvsadm) await test.step('no node had ipvsadm: /proc/net/ip_vs is the only IPVS source', () => expectNoIpvsadm(run.snapshotDir));
    else await test.step('ipvsadm -Ln and /proc/net/ip_vs show the same table on every node', () => expectIpvsSourcesAgree(run.snapshotDir));

    if (!scenario.breaks) {
      expect(verdicts.filter((v) => v.status !== 'pass'), 'every claim passes on a conforming cluster').toEqual([]);
      expect(cli.exitCode).toBe(0);
      return;
    }
    const target = verdicts.find((v) => v.id === scenario.breaks)!;
    expect(target.status, `${scenario.breaks} must fail: ${target.message}`).toBe('fail');
    for (const word of scenario.mustName ?? []) expect(target.message).toContain(word);
    expect(cli.exitCode).toBe(1);
  });
}
