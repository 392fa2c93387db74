// One Playwright test per lab scenario: bring up a real control plane and Kubernetes' own kube-proxy on every
// node netns of a UML guest, cause the scenario's real events, collect a snapshot with the product's own code,
// and judge it with `bin/ipvs-conformance evaluate` against the run's real iptables-mode baseline.
import { execa } from 'execa';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CLAIMS } from '../../helpers/claims/index.js';
import { judgeKubeIpvs0Convergence } from '../../helpers/claims/convergence.js';
import type { ClaimId, Status } from '../../helpers/claims/types.js';
import { checkNodeImage } from '../../helpers/kind/preflight.js';
import { LAB_BASELINE_DIR } from '../../helpers/lab/host-baseline.js';
import { DEPRECATING_PROXY_VERSION } from '../../helpers/lab/kube-binaries.js';
import { LAB_CONTEXT } from '../../helpers/lab/control-plane.js';
import { LabCluster } from '../../helpers/lab/lab-cluster.js';
import { LAB_SNAPSHOTS_DIR, recordRow } from '../../helpers/lab/matrix.js';
import { POLICY_SERVICES, SCENARIOS, type LabScenario } from '../../helpers/lab/scenarios.js';
import { ipvsConfigLines, parseIpvsadm, parseProcNetIpVs } from '../../helpers/parsers/ipvs-table.js';
import { evidenceFiles } from '../../helpers/report/evidence.js';
import { readRawNodeFiles, readSnapshot } from '../../helpers/snapshot/read.js';
import { expect, test } from './lab-fixture.js';

const CLI = join(import.meta.dirname, '..', '..', 'bin', 'ipvs-conformance');
const BASELINE = join(LAB_BASELINE_DIR, 'snapshot');

interface CliVerdicts {
  claims: { id: ClaimId; status: Status; message: string }[];
}

/** The real kernel printed both views; the two parsers must read the same configuration from them. */
async function expectIpvsSourcesAgree(snapshotDir: string): Promise<void> {
  for (const node of await readdir(join(snapshotDir, 'nodes'))) {
    const file = (f: string) => readFile(join(snapshotDir, 'nodes', node, f), 'utf8');
    const proc = ipvsConfigLines(parseProcNetIpVs(await file('proc-net-ip_vs.txt')));
    expect(proc.length, `${node}: a non-empty IPVS table`).toBeGreaterThan(0);
    expect(ipvsConfigLines(parseIpvsadm(await file('ipvsadm.txt'))), node).toEqual(proc);
  }
}

/** Judges a snapshot with the CLI, attaches the verdicts, records the matrix row, and checks all six verdicts. */
async function judgeAll(name: string, s: Pick<LabScenario, 'expect' | 'mustName'>, snapshotDir: string): Promise<void> {
  const args = ['evaluate', snapshotDir, '--baseline', BASELINE, '--json'];
  const cli = await test.step(`bin/ipvs-conformance ${args.join(' ')}`, () => execa(CLI, args, { reject: false }));
  await test.info().attach('verdicts.json', { body: cli.stdout || cli.stderr, contentType: 'application/json' });
  expect(cli.stderr, 'evaluate must accept the snapshot').toBe('');
  const verdicts = (JSON.parse(cli.stdout) as CliVerdicts).claims;
  const statuses = Object.fromEntries(verdicts.map((v) => [v.id, v.status])) as Record<ClaimId, Status>;
  await recordRow({ scenario: name, expected: s.expect, statuses });
  for (const v of verdicts) {
    expect.soft(v.status, `${v.id}: ${v.message}`).toBe(s.expect[v.id]);
    for (const word of s.mustName?.[v.id] ?? []) expect.soft(v.message, `${v.id} names ${word}`).toContain(word);
  }
  expect(cli.exitCode, 'exit 0 when every claim passes, 1 when one fails').toBe(Object.values(s.expect).every((x) => x === 'pass') ? 0 : 1);
}

/** The convergence check's pure judge on real kube-proxy: a Service created, then deleted, each change snapshotted. */
async function expectConvergenceJudged(lab: LabCluster): Promise<void> {
  const svc = { metadata: { namespace: 'default', name: 'svc-convergence' }, spec: { clusterIP: '10.200.1.60', selector: { app: 'webpod' }, ports: [{ name: 'http', protocol: 'TCP', port: 8088, targetPort: 80 }] } };
  const judged = async (name: string, present: boolean) => {
    const dir = test.info().outputPath(name);
    await lab.snapshot(dir, {});
    const verdict = judgeKubeIpvs0Convergence(await readSnapshot(dir), svc.spec.clusterIP, present);
    await test.info().attach(`verdict: ${name}`, { body: JSON.stringify(verdict, null, 2), contentType: 'application/json' });
    return verdict;
  };
  await lab.change('create svc-convergence', async () => void (await lab.k8s.core.createNamespacedService({ namespace: 'default', body: svc })));
  expect(await judged('convergence-created', true)).toMatchObject({ status: 'pass', message: '10.200.1.60 is on kube-ipvs0 on all 4 nodes' });
  await lab.change('delete svc-convergence', async () => void (await lab.k8s.core.deleteNamespacedService({ namespace: 'default', name: 'svc-convergence' })));
  expect(await judged('convergence-deleted', false)).toMatchObject({ status: 'pass', message: "10.200.1.60 is on no node's kube-ipvs0 (4 nodes)" });
}

/** Extra facts a scenario proves about real kube-proxy, beyond the six verdicts. */
const FACTS: Record<string, (lab: LabCluster, snapshotDir: string) => Promise<void>> = {
  // The live `collect` command against this real kube-apiserver: its API part runs for real. The harness stands in
  // for kubelets, so no node is Ready and no agent can run (one line, exit 2, nothing created); through docker
  // exec, lab nodes are no containers and run kube-proxy as no pod (one line, exit 2).
  conforming: async (lab) => {
    const target = ['--kubeconfig', lab.adminKubeconfig, '--context', LAB_CONTEXT];
    const agents = await execa(CLI, ['collect', test.info().outputPath('collect-agents'), ...target], { reject: false });
    const docker = await execa(CLI, ['collect', test.info().outputPath('collect-docker'), '--nodes', 'docker', ...target], { reject: false });
    await test.info().attach('bin/ipvs-conformance collect (against the lab API server)', { body: [agents, docker].map((r) => `$ ${r.command}\nexit ${r.exitCode}\n${r.stderr}`).join('\n\n') });
    expect([agents.exitCode, agents.stderr]).toEqual([2, `ipvs-conformance: ${LAB_CONTEXT}: node myk8s-control-plane is not Ready (no kubelet reports it so): no node agent can run there`]);
    expect((await lab.k8s.core.listNamespace()).items.map((n) => n.metadata!.name!).filter((n) => n.startsWith('ipvs-conformance'))).toEqual([]);
    expect(docker.stderr).toMatch(/^collect: read https:\/\/127\.0\.0\.1:\d+: 4 nodes, 14 services, kube-proxy mode ipvs$/m);
    expect(docker.stderr).toMatch(/^ipvs-conformance: no kube-proxy pod runs on node myk8s-control-plane/m);
    expect(docker.exitCode).toBe(2);
    await expectConvergenceJudged(lab);
  },
  'conforming-v1.37': async (lab) => {
    const log = await lab.proxyLog('myk8s-worker');
    expect(log).toContain(`"Version info" version="${DEPRECATING_PROXY_VERSION}"`);
    const deprecation = log.split('\n').filter((l) => l.includes('The ipvs proxier has been deprecated'));
    expect(deprecation, 'kube-proxy logs the IPVS deprecation').not.toHaveLength(0);
    await test.info().attach('kube-proxy IPVS deprecation (myk8s-worker)', { body: deprecation.join('\n'), contentType: 'text/plain' });
    expect(checkNodeImage(`kindest/node:${DEPRECATING_PROXY_VERSION}`).warning, 'preflight warns for this version, as kube-proxy does').toMatch(/deprecated/);
  },
  'graceful-termination': async (_lab, snapshotDir) => {
    const snap = await readSnapshot(snapshotDir);
    const ep = snap.cluster.services.find((s) => s.name === 'svc-clusterip')!.ports[0]!.endpoints.find((e) => e.pod === 'webpod3')!;
    expect(ep, 'webpod3 is terminating and still serving').toMatchObject({ ready: false, serving: true, terminating: true });
    const client = snap.nodes.find((n) => n.name === 'myk8s-control-plane')!;
    const rs = client.ipvs.find((vs) => vs.address === '10.200.1.245')!.realServers.find((r) => r.address === '10.10.3.2');
    // "At most": kube-proxy's graceful termination keeps the real server at weight 0 while it has connections and
    // removes it once they are gone. A slow sync (166 s once in CI) outlives IPVS's 120 s TIME_WAIT entries of the
    // probe's connections, so both are real kube-proxy behaviour; any weight above 0 is a failure.
    test.info().annotations.push({ type: 'graceful-termination', description: rs ? `webpod3 kept at weight ${rs.weight} (${rs.activeConn} active, ${rs.inactConn} inactive)` : 'webpod3 removed: its connections had drained' });
    if (rs) expect(rs.weight, 'the client node keeps webpod3 at weight 0 while its connections drain').toBe(0);
  },
  'endpoint-policies': async (_lab, snapshotDir) => {
    const snap = await readSnapshot(snapshotDir);
    const realServers = (node: string, vip: string) =>
      snap.nodes.find((n) => n.name === node)!.ipvs.find((vs) => vs.address === vip)?.realServers.map((r) => r.address).sort();
    const { local, zonal, otherProxy } = POLICY_SERVICES;
    // internalTrafficPolicy Local: each node only its own webpod; the control plane has none (an empty virtual server).
    expect(realServers('myk8s-control-plane', local.clusterIP)).toEqual([]);
    expect(realServers('myk8s-worker2', local.clusterIP)).toEqual(['10.10.2.2']);
    // PreferClose: the zone's endpoints; ap-northeast-2a holds the control plane and worker (webpod1).
    expect(realServers('myk8s-control-plane', zonal.clusterIP)).toEqual(['10.10.1.2']);
    expect(realServers('myk8s-worker3', zonal.clusterIP)).toEqual(['10.10.3.2']);
    // A service another proxy claims is not programmed anywhere, and is not in the model.
    for (const n of snap.nodes) expect(realServers(n.name, otherProxy.clusterIP), n.name).toBeUndefined();
    expect(snap.cluster.services.map((s) => s.name)).not.toContain(otherProxy.name);
  },
  'iptables-to-ipvs': async (lab) => {
    expect(await lab.proxyLog('myk8s-worker')).toContain('Using iptables Proxier');
  },
};

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
      await FACTS[scenario.name]?.(lab, snapshotDir);
    } finally {
      for (const [name, body] of Object.entries(await lab.logs())) await testInfo.attach(name, { body, contentType: 'text/plain' });
      await testInfo.attach('timings.txt', { body: lab.timings.map(([s, ms]) => `${(ms / 1000).toFixed(1).padStart(7)} s  ${s}`).join('\n'), contentType: 'text/plain' });
      await lab.down();
    }
    await testInfo.attach('snapshot/cluster.json', { path: join(snapshotDir, 'cluster.json'), contentType: 'application/json' });
    const nodes = await readRawNodeFiles(snapshotDir);
    for (const claim of failing.length > 0 ? failing.map((t) => t.slice(1) as ClaimId) : ['ipvs-rr-balanced' as const]) {
      for (const f of evidenceFiles(claim, nodes)) await testInfo.attach(f.name, { body: f.body, contentType: f.contentType });
    }
    await test.step('ipvsadm -Ln and /proc/net/ip_vs show the same table on every node', () => expectIpvsSourcesAgree(snapshotDir));
    await judgeAll(scenario.name, scenario, snapshotDir);
  });
}

test('iptables-mode cluster judged as an IPVS cluster: every claim fails, saying kube-proxy runs in iptables mode', async () => {
  const expected = Object.fromEntries(CLAIMS.map((c) => [c.id, 'fail'])) as Record<ClaimId, Status>;
  const mustName = Object.fromEntries(Object.keys(expected).map((id) => [id, ['kube-proxy runs in iptables mode', 'base-worker: kube-proxy answers /proxyMode with "iptables"']]));
  await judgeAll('iptables-cluster-as-ipvs', { expect: expected, mustName }, BASELINE);
});
