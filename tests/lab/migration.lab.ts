// The IPVS → nftables migration on Kubernetes' own kube-proxy: the same Services and endpoints in three clusters
// (IPVS in the UML guest; nftables and iptables in host network namespaces), each probed with real traffic and
// snapshotted, then compared with `bin/ipvs-conformance compare`. A broken nftables node must fail the comparison.
import type { V1Service } from '@kubernetes/client-node';
import { execa } from 'execa';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { MigrationReport, MigrationRow } from '../../helpers/compare/compare.js';
import { migrationHtml, migrationSummary } from '../../helpers/compare/report.js';
import { HostCluster } from '../../helpers/lab/host-cluster.js';
import { LabCluster, migrationSites } from '../../helpers/lab/lab-cluster.js';
import { LAB_SNAPSHOTS_DIR } from '../../helpers/lab/matrix.js';
import { seedTopology } from '../../helpers/lab/topology.js';
import { attachBalanceChart } from '../../fixtures/evidence.js';
import { expect, test } from './lab-fixture.js';

const CLI = join(import.meta.dirname, '..', '..', 'bin', 'ipvs-conformance');
const LATE = { name: 'svc-late', clusterIP: '10.200.1.77', port: 9100 };
const lateService: V1Service = {
  metadata: { namespace: 'default', name: LATE.name },
  spec: { clusterIP: LATE.clusterIP, selector: { app: 'webpod' }, ports: [{ name: 'http', protocol: 'TCP', port: LATE.port, targetPort: 80 }] },
};

async function compare(title: string, a: string, b: string, expectedExit: number): Promise<MigrationReport> {
  const cli = await test.step(`bin/ipvs-conformance compare ${a} ${b} --json`, () => execa(CLI, ['compare', a, b, '--json'], { reject: false }));
  expect(cli.stderr, 'compare must accept both snapshots').toBe('');
  const report = JSON.parse(cli.stdout) as MigrationReport;
  await test.info().attach(`${title}.html`, { body: migrationHtml(report), contentType: 'text/html' });
  await test.info().attach(`${title}.json`, { body: cli.stdout, contentType: 'application/json' });
  console.log(`[migration] ${title}: ${migrationSummary(report)}`);
  expect(cli.exitCode, `${title}: exit 0 when nothing differs unexpectedly, 1 otherwise`).toBe(expectedExit);
  return report;
}

const rowOf = (r: MigrationReport, key: string): MigrationRow => {
  const row = r.rows.find((x) => x.key === key);
  expect(row, `a row for ${key}`).toBeDefined();
  return row!;
};

/** Every service port answered in both modes, from the same client address: real traffic behind each "same". */
function expectServicePortsSame(r: MigrationReport): void {
  const ports = r.rows.filter((x) => x.kind === 'service-port');
  expect(ports.length).toBeGreaterThanOrEqual(16);
  for (const row of ports) {
    expect.soft(row.verdict, row.message).toBe('same');
    // default/kubernetes points at the kube-apiserver's advertised node address, where nothing listens in the lab.
    if (!row.key.startsWith('default/kubernetes ')) expect.soft(row.a.outcome, row.message).toBe('answered');
  }
  for (const row of r.rows.filter((x) => x.kind === 'source-address')) expect.soft(row.verdict, row.message).toBe('same');
  expect.soft(rowOf(r, 'kube-system/kube-dns 53/UDP').a.outcome, 'kube-dns answers on 53/udp').toBe('answered');
  expect.soft(rowOf(r, 'balance').verdict).toBe('same');
}

test('migration: IPVS, nftables and iptables on real kube-proxy, the same Services probed and compared', async ({}, testInfo) => {
  const log = (line: string) => console.log(`[migration] ${line}`);
  const topology = { migration: true };
  const snap = (name: string) => join(LAB_SNAPSHOTS_DIR, `migration-${name}`);
  for (const name of ['ipvs', 'nftables', 'iptables', 'ipvs-late', 'nftables-proxy-down']) await rm(snap(name), { recursive: true, force: true });
  const started = await test.step('three clusters: IPVS in the UML guest, nftables and iptables in host netns', () =>
    Promise.allSettled([
      LabCluster.up(testInfo.outputPath('ipvs'), { topology, log }),
      HostCluster.up(testInfo.outputPath('nftables'), { mode: 'nftables', topo: seedTopology(topology), tag: 'nft', log }),
      HostCluster.up(testInfo.outputPath('iptables'), { mode: 'iptables', topo: seedTopology(topology), tag: 'ipt', log }),
    ]),
  );
  const up = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  try {
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    const [ipvs, nft, ipt] = up as [LabCluster, HostCluster, HostCluster];
    await test.step('probe and snapshot each mode', async () => {
      await ipvs.snapshot(snap('ipvs'), { balance: true, arp: false, probes: migrationSites(ipvs.topo) });
      await nft.snapshot(snap('nftables'), { balance: true, probes: migrationSites(nft.topo) });
      await ipt.snapshot(snap('iptables'), { balance: true, probes: migrationSites(ipt.topo) });
      for (const mode of ['ipvs', 'nftables', 'iptables']) await attachBalanceChart(snap(mode), `balance-${mode}.svg`);
    });

    const toNft = await compare('ipvs-to-nftables', snap('ipvs'), snap('nftables'), 0);
    expectServicePortsSame(toNft);
    expect.soft(rowOf(toNft, 'nodeport-other-address').verdict, 'nftables opens NodePorts on the primary address only').toBe('differs as documented');

    const toIpt = await compare('ipvs-to-iptables', snap('ipvs'), snap('iptables'), 0);
    expectServicePortsSame(toIpt);
    expect.soft(rowOf(toIpt, 'nodeport-localhost').verdict, 'iptables answers NodePorts on 127.0.0.1').toBe('differs as documented');
    expect.soft(rowOf(toIpt, 'unexposed-port').verdict, 'iptables mode does not reject unexposed ports').toBe('differs as documented');

    await test.step('broken nftables node: kube-proxy on net-pod\'s node stopped before a new Service', async () => {
      await nft.killKubeProxy('myk8s-control-plane');
      const create = (k8s: LabCluster['k8s']) => async () => void (await k8s.core.createNamespacedService({ namespace: 'default', body: lateService }));
      await ipvs.change(`create ${LATE.name}`, create(ipvs.k8s));
      await nft.change(`create ${LATE.name}`, create(nft.k8s));
      await ipvs.snapshot(snap('ipvs-late'), { balance: true, arp: false, probes: migrationSites(ipvs.topo) });
      await nft.snapshot(snap('nftables-proxy-down'), { balance: true, probes: migrationSites(nft.topo) });
      for (const name of ['ipvs-late', 'nftables-proxy-down']) await attachBalanceChart(snap(name), `balance-${name}.svg`);
    });
    const broken = await compare('ipvs-to-nftables-proxy-down', snap('ipvs-late'), snap('nftables-proxy-down'), 1);
    const late = rowOf(broken, `default/${LATE.name} ${LATE.port}/TCP`);
    expect(late.verdict).toBe('differs unexpectedly');
    expect(late.message).toContain('myk8s-control-plane');
    expect(late.message).toContain(LATE.clusterIP);
    expect(broken.rows.filter((r) => r.verdict === 'differs unexpectedly').map((r) => r.key)).toEqual([late.key]);
  } finally {
    for (const c of up) {
      for (const [name, body] of Object.entries(await c.logs())) await testInfo.attach(name, { body, contentType: 'text/plain' });
      await testInfo.attach(`timings-${c instanceof LabCluster ? 'ipvs' : c.o.mode}.txt`, { body: c.timings.map(([s, ms]) => `${(ms / 1000).toFixed(1).padStart(7)} s  ${s}`).join('\n'), contentType: 'text/plain' });
      await c.down();
    }
  }
});
