// The IPVS → nftables migration as users do it: in place, on one cluster, node by node. Kubernetes' own kube-proxy
// runs in the lab's own kernel (IPVS and nf_tables in one, bin/build-uml-kernel). A keepalived-style virtual server
// sits beside kube-proxy's on every node (kept by ipvs.excludeCIDRs). The ConfigMap moves to nftables, then each
// worker's kube-proxy restarts in nftables mode; every stage is probed from every node and snapshotted, and
// `bin/ipvs-conformance compare` reads the stages as a timeline. The control plane switches last in a kube-proxy
// container without the node's /lib/modules: its IPVS cleanup is skipped, and the timeline must fail naming it.
import { execa } from 'execa';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { MigrationTimeline } from '../../helpers/compare/timeline.js';
import { timelineHtml, timelineSummary } from '../../helpers/compare/report.js';
import { LabCluster, migrationSites } from '../../helpers/lab/lab-cluster.js';
import { LAB_SNAPSHOTS_DIR } from '../../helpers/lab/matrix.js';
import { expect, test } from './lab-fixture.js';

const CLI = join(import.meta.dirname, '..', '..', 'bin', 'ipvs-conformance');
/** A VIP keepalived or kube-vip would hold with IPVS, on the node network, outside every Service. */
const FOREIGN = { vip: '172.18.255.240', port: 443 };
const CONTROL_PLANE = 'myk8s-control-plane';

async function timeline(title: string, dirs: string[], expectedExit: number): Promise<MigrationTimeline> {
  const cli = await test.step(`bin/ipvs-conformance compare ${dirs.map((d) => d.split('/').pop()).join(' ')} --json`, () => execa(CLI, ['compare', ...dirs, '--json'], { reject: false }));
  expect(cli.stderr, 'compare must accept every snapshot').toBe('');
  const t = JSON.parse(cli.stdout) as MigrationTimeline;
  await test.info().attach(`${title}.html`, { body: timelineHtml(t), contentType: 'text/html' });
  await test.info().attach(`${title}.json`, { body: cli.stdout, contentType: 'application/json' });
  console.log(`[inplace] ${title}: ${timelineSummary(t)}`);
  expect(cli.exitCode, `${title}: ${t.failures.join('; ')}`).toBe(expectedExit);
  return t;
}

test('in-place migration: IPVS → nftables node by node on real kube-proxy, every stage probed from every node', async ({}, testInfo) => {
  const log = (line: string) => console.log(`[inplace] ${line}`);
  const snap = (name: string) => join(LAB_SNAPSHOTS_DIR, `inplace-${name}`);
  const lab = await LabCluster.up(testInfo.outputPath('cluster'), { nftKernel: true, topology: { migration: true, shapes: true }, proxy: { excludeCIDRs: [`${FOREIGN.vip}/32`] }, log });
  const stages: string[] = [];
  try {
    const sites = { ...migrationSites(lab.topo), everyNode: lab.topo.nodes.map((n) => ({ name: n.name, internalIP: n.ip })) };
    const webpod = lab.topo.pods.find((p) => p.web)!;
    for (const n of lab.topo.nodes) {
      await lab.guestScript(n.name, `a keepalived-style virtual server on ${n.name}`, `ipvsadm -A -t ${FOREIGN.vip}:${FOREIGN.port} -s wrr\nipvsadm -a -t ${FOREIGN.vip}:${FOREIGN.port} -r ${webpod.ip}:80 -m\n`);
    }
    const stage = async (name: string) => {
      await rm(snap(name), { recursive: true, force: true });
      await lab.snapshot(snap(name), { balance: true, arp: false, probes: sites });
      stages.push(snap(name));
    };
    await stage('0-before');
    await lab.setConfiguredMode('nftables');
    const workers = lab.topo.nodes.slice(1).reverse();
    for (const [i, n] of workers.entries()) {
      await lab.restartKubeProxy(n.name, { mode: 'nftables' });
      await stage(`${i + 1}-${n.name.replace('myk8s-', '')}`);
    }
    const good = await timeline('inplace-workers', stages, 0);
    expect(good.stages.map((s) => s.phase)).toEqual(['before', 'mixed', 'mixed', 'mixed']);
    for (const n of workers) {
      const rows = good.stages.flatMap((s) => s.leftovers).filter((r) => r.node === n.name);
      expect(rows.map((r) => `${r.key}: ${r.ok}`), `${n.name}'s switch left what the cleanup documents`).toEqual([
        'kube-ipvs0: true', 'ipvs-table: true', 'foreign-virtual-servers: true', 'ipsets: true', 'iptables-chains: true', 'nft-tables: true', 'arp-sysctls: true',
      ]);
      expect(good.flags.join('\n')).toContain(`${n.name}: the switch deleted TCP ${FOREIGN.vip}:${FOREIGN.port}`);
      expect(good.flags.join('\n')).toContain(`${n.name}: arp_ignore=1, arp_announce=2 stay set`);
    }

    await lab.restartKubeProxy(CONTROL_PLANE, { mode: 'nftables', withoutModuleTree: true });
    await stage('4-control-plane-without-module-tree');
    const bad = await timeline('inplace-control-plane-without-module-tree', stages, 1);
    expect(bad.stages.at(-1)!.phase).toBe('after');
    expect(bad.failures.length).toBeGreaterThan(0);
    for (const f of bad.failures) expect(f, 'only the control plane, whose cleanup was skipped, fails').toContain(CONTROL_PLANE);
    expect(bad.failures.join('\n')).toContain(`${CONTROL_PLANE}: kube-ipvs0 after the switch: still there`);
    expect(bad.failures.join('\n')).toContain(`TCP ${FOREIGN.vip}:${FOREIGN.port}`);
    expect(await lab.proxyLog(CONTROL_PLANE)).toContain('no module tree');
  } finally {
    for (const [name, body] of Object.entries(await lab.logs())) await testInfo.attach(name, { body, contentType: 'text/plain' });
    await testInfo.attach('timings.txt', { body: lab.timings.map(([s, ms]) => `${(ms / 1000).toFixed(1).padStart(7)} s  ${s}`).join('\n'), contentType: 'text/plain' });
    await lab.down();
  }
});
