// The IPVS → nftables migration as users do it: in place, on one cluster, node by node. Kubernetes' own kube-proxy
// runs in the lab's own kernel (IPVS and nf_tables in one, bin/build-uml-kernel). A keepalived-style virtual server
// sits beside kube-proxy's on every node (kept by ipvs.excludeCIDRs). The ConfigMap moves to nftables, then the
// control plane's, worker3's and worker2's kube-proxies restart in nftables mode; every stage is probed from every
// node, from outside (externalTrafficPolicy: Local, health checks, ARP for LB IPs) and for session affinity, and
// snapshotted; `bin/ipvs-conformance compare` reads the stages as a timeline. The last worker switches in a
// kube-proxy container without the node's /lib/modules: its IPVS cleanup is skipped, and the timeline must fail
// naming it.
import { execa } from 'execa';
import { setTimeout as sleep } from 'node:timers/promises';
import { readAffinityExpiry } from '../../helpers/collectors/affinity-expiry.js';
import { affinityExpiryLines, judgeAffinityExpiry } from '../../helpers/compare/affinity-expiry.js';
import { runOk } from '../../helpers/exec/exec.js';
import { parseIpvsadm } from '../../helpers/parsers/ipvs-table.js';
import type { StreamResult } from '../../helpers/snapshot/model.js';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MigrationTimeline } from '../../helpers/compare/timeline.js';
import { timelineHtml, timelineSummary } from '../../helpers/compare/report.js';
import { LabCluster, migrationSites } from '../../helpers/lab/lab-cluster.js';
import { deletePod, startPod, waitForSlices, type SliceEndpoint } from '../../helpers/lab/kubelet.js';
import { LAB_SNAPSHOTS_DIR } from '../../helpers/lab/matrix.js';
import { SHAPES, STREAM_SERVICE } from '../../helpers/lab/topology.js';
import { writeStreamsJson } from '../../helpers/snapshot/write.js';
import { attachBalanceChart } from '../../fixtures/evidence.js';
import { expect, test } from './lab-fixture.js';

const CLI = join(import.meta.dirname, '..', '..', 'bin', 'ipvs-conformance');
/** A VIP keepalived or kube-vip would hold with IPVS, on the node network, outside every Service. */
const FOREIGN = { vip: '172.18.255.240', port: 443 };
const BROKEN = 'myk8s-worker';

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

/** svc-affinity's timeout here: short enough to wait out, as in kubernetes/kubernetes#89358. */
const AFFINITY_TIMEOUT_S = 10;
const GRACE_S = 600;
type NodeMode = { node: string; mode: string };

/** Each node asks svc-affinity once and again after its timeout, reading the kernel's affinity entries between. */
async function affinityExpiry(lab: LabCluster, nodes: NodeMode[]): Promise<void> {
  const site = { service: `default/${SHAPES.affinity.name}`, clusterIP: SHAPES.affinity.clusterIP, port: SHAPES.affinity.port, timeoutSeconds: AFFINITY_TIMEOUT_S, marginSeconds: 5 };
  const rows = await lab.step(`session affinity past its ${AFFINITY_TIMEOUT_S} s timeout, from ${nodes.map((n) => n.node).join(' and ')}`, async () => {
    const readings = await Promise.all(nodes.map((n) => readAffinityExpiry(n.node, n.mode, lab.exec(n.node), site)));
    for (const r of readings) {
      await writeFile(test.info().outputPath(`affinity-expiry-${r.node}.txt`), r.raw);
      await test.info().attach(`affinity-expiry-${r.node}.txt`, { body: r.raw, contentType: 'text/plain' });
    }
    return readings.map(judgeAffinityExpiry);
  });
  const lines = affinityExpiryLines(rows);
  await test.info().attach('affinity-expiry.txt', { body: lines.join('\n') + '\n', contentType: 'text/plain' });
  console.log(`[inplace] ${lines.join('\n[inplace] ')}`);
  for (const [i, r] of rows.entries()) expect(r.ok, lines[i]).toBe(true);
}

/**
 * One stream from each node to svc-stream's ClusterIP; the web pods they reached are deleted with a grace period
 * (they stay Terminating, still serving, and other web pods stay ready), then restored as they were.
 */
async function gracefulTermination(lab: LabCluster, nodes: NodeMode[], marks: { t: number; label: string }[]): Promise<StreamResult[]> {
  await lab.startStreams(nodes.map((n) => ({ name: `ClusterIP from ${n.node} (${n.mode}) to a backend that terminates`, from: n.node, target: STREAM_SERVICE.clusterIP, port: STREAM_SERVICE.port })));
  const opened = await lab.streamsOpened();
  const pods = lab.topo.pods.filter((p) => opened.some((o) => o.backend === p.name));
  expect(pods.length, `every stream opened to a web pod: ${JSON.stringify(opened)}`).toBeGreaterThan(0);
  const names = pods.map((p) => p.name).join(', ');
  const slices = (what: string, ok: (eps: SliceEndpoint[]) => boolean) => waitForSlices(lab.k8s, STREAM_SERVICE.namespace, STREAM_SERVICE.name, what, ok);
  marks.push({ t: await lab.guestTime(), label: `${names} deleted with a ${GRACE_S} s grace period` });
  await lab.change(`delete ${names} with a ${GRACE_S} s grace period`, async () => {
    for (const p of pods) await deletePod(lab.k8s.core, p, GRACE_S);
    await slices(`${names} terminating`, (eps) => pods.every((p) => eps.some((e) => e.ip === p.ip && e.terminating === true)));
  });
  marks.push({ t: await lab.guestTime(), label: 'every kube-proxy synced the terminating endpoints' });
  const ipvs = nodes.find((n) => n.mode === 'ipvs')!;
  const table = await runOk(lab.exec(ipvs.node), ['ipvsadm', '-Ln']);
  await test.info().attach(`ipvsadm-terminating-${ipvs.node}.txt`, { body: table, contentType: 'text/plain' });
  const servers = parseIpvsadm(table).find((vs) => vs.address === STREAM_SERVICE.clusterIP && vs.port === STREAM_SERVICE.port)?.realServers ?? [];
  const held = pods.find((p) => p.name === opened[nodes.indexOf(ipvs)]!.backend)!;
  expect(servers.find((r) => r.address === held.ip), `${ipvs.node}: ${held.name} kept at weight 0 while its connection lives (graceful termination)`).toMatchObject({ weight: 0, activeConn: 1 });
  await sleep(10_000);
  const results = await test.step('stop the streams to terminating backends', () => lab.stopStreams());
  for (const r of results) expect(r.events, `${r.name}: held while its backend terminated (${r.echoed} lines echoed)`).toEqual([]);
  await lab.change(`restore ${names}`, async () => {
    for (const p of pods) await deletePod(lab.k8s.core, p, 0);
    await slices(`${names} gone`, (eps) => !pods.some((p) => eps.some((e) => e.ip === p.ip)));
    for (const p of pods) await startPod(lab.k8s.core, p, lab.topo);
    await slices('every web pod ready again', (eps) => eps.length === 3 && eps.every((e) => e.ready === true));
  });
  return results;
}

test('in-place migration: IPVS → nftables node by node on real kube-proxy, every stage probed from every node', async ({}, testInfo) => {
  const log = (line: string) => console.log(`[inplace] ${line}`);
  const snap = (name: string) => join(LAB_SNAPSHOTS_DIR, `inplace-${name}`);
  const lab = await LabCluster.up(testInfo.outputPath('cluster'), { nftKernel: true, topology: { migration: true, shapes: true, streams: true, affinityTimeoutSeconds: AFFINITY_TIMEOUT_S }, proxy: { excludeCIDRs: [`${FOREIGN.vip}/32`] }, log });
  const stages: string[] = [];
  try {
    const ref = (name: string) => ({ name, internalIP: lab.node(name).ip });
    const sites = {
      ...migrationSites(lab.topo),
      everyNode: lab.topo.nodes.map((n) => ref(n.name)),
      // svc-lb-local: webpod2 is worker2's; the control plane has no webpod.
      externalLocal: { service: `default/${SHAPES.lbLocal.name}`, withLocal: ref('myk8s-worker2'), withoutLocal: ref('myk8s-control-plane'), outsideIP: lab.topo.mypc.ip },
      affinity: { service: `default/${SHAPES.affinity.name}`, requests: 6 },
    };
    const webpod = lab.topo.pods.find((p) => p.web)!;
    for (const n of lab.topo.nodes) {
      await lab.guestScript(n.name, `a keepalived-style virtual server on ${n.name}`, `ipvsadm -A -t ${FOREIGN.vip}:${FOREIGN.port} -s wrr\nipvsadm -a -t ${FOREIGN.vip}:${FOREIGN.port} -r ${webpod.ip}:80 -m\n`);
    }
    const stage = async (name: string) => {
      await rm(snap(name), { recursive: true, force: true });
      await lab.snapshot(snap(name), { balance: true, arp: true, probes: sites });
      await attachBalanceChart(snap(name), `balance-${name}.svg`);
      stages.push(snap(name));
    };
    await stage('0-before');
    // Two connections held open through every switch: net-pod → svc-stream's ClusterIP, mypc → worker3's NodePort.
    const streams = [
      { name: 'ClusterIP', from: 'net-pod', target: STREAM_SERVICE.clusterIP, port: STREAM_SERVICE.port },
      { name: 'NodePort on myk8s-worker3', from: lab.topo.mypc.name, target: lab.node('myk8s-worker3').ip, port: STREAM_SERVICE.nodePort },
    ];
    const marks = [{ t: await lab.guestTime(), label: 'the streams started' }];
    await lab.startStreams(streams);
    await lab.setConfiguredMode('nftables');
    const clean = ['myk8s-control-plane', 'myk8s-worker3', 'myk8s-worker2'];
    for (const [i, name] of clean.entries()) {
      marks.push({ t: await lab.guestTime(), label: `switching ${name} to nftables` });
      await lab.restartKubeProxy(name, { mode: 'nftables' });
      await stage(`${i + 1}-${name.replace('myk8s-', '')}`);
    }
    const held = await test.step('stop the streams held through the switches', () => lab.stopStreams());
    for (const r of held) expect(r.backend && r.echoed > 0, `${r.name}: opened to a backend and echoed lines (${JSON.stringify(r)})`).toBeTruthy();
    // The mixed cluster has both modes at once: BROKEN still runs IPVS, worker2 nftables.
    const bothModes = [{ node: BROKEN, mode: 'ipvs' }, { node: 'myk8s-worker2', mode: 'nftables' }];
    await affinityExpiry(lab, bothModes);
    const terminating = await gracefulTermination(lab, bothModes, marks);
    await writeStreamsJson(stages.at(-1)!, { streams: [...held, ...terminating], marks });
    const good = await timeline('inplace-clean-switches', stages, 0);
    expect(good.streams.map((s) => s.name)).toEqual([...streams, ...terminating].map((s) => s.name));
    expect(good.stages.at(-1)!.modes, 'the modes the affinity and termination probes were judged by').toMatchObject(Object.fromEntries(bothModes.map((b) => [b.node, b.mode])));
    expect(good.stages.map((s) => s.phase)).toEqual(['before', 'mixed', 'mixed', 'mixed']);
    for (const name of clean) {
      const rows = good.stages.flatMap((s) => s.leftovers).filter((r) => r.node === name);
      expect(rows.map((r) => `${r.key}: ${r.ok}`), `${name}'s switch left what the cleanup documents`).toEqual([
        'kube-ipvs0: true', 'ipvs-table: true', 'foreign-virtual-servers: true', 'ipsets: true', 'iptables-chains: true', 'nft-tables: true', 'arp-sysctls: true',
      ]);
      for (const words of [`the switch deleted TCP ${FOREIGN.vip}:${FOREIGN.port}`, 'arp_ignore=1, arp_announce=2 stay set', '17 KUBE-6-* ipsets stay']) expect(good.flags.join('\n')).toContain(`${name}: ${words}`);
    }
    const rowsOf = (behaviour: string) => good.stages.slice(1).map((s) => s.probes!.rows.find((r) => r.key === behaviour)!);
    // The control plane (no webpod) switched first; its eTP Local NodePort answered in neither mode (see behaviours.ts).
    const keys = ['etp-local-nodeport-without-local', 'etp-local-health-with-local', 'etp-local-health-without-local', 'etp-local-pod-to-lb-ip', 'session-affinity'];
    for (const key of keys) expect(rowsOf(key).map((r) => r.verdict), key).toEqual(['same', 'same', 'same']);
    expect(good.stages.every((s) => s.lbArp.length === 2 && s.lbArp.every((a) => a.replies === 0)), 'no node answers ARP for an LB IP at any stage').toBe(true);

    await lab.restartKubeProxy(BROKEN, { mode: 'nftables', withoutModuleTree: true });
    await stage('4-worker-without-module-tree');
    const bad = await timeline('inplace-worker-without-module-tree', stages, 1);
    expect(bad.stages.at(-1)!.phase).toBe('after');
    expect(bad.failures.length).toBeGreaterThan(0);
    for (const f of bad.failures) expect(f, 'only the worker whose cleanup was skipped fails').toContain(`${BROKEN}:`);
    expect(bad.failures.join('\n')).toContain(`${BROKEN}: kube-ipvs0 after the switch: still there`);
    expect(bad.failures.join('\n')).toContain(`TCP ${FOREIGN.vip}:${FOREIGN.port}`);
    expect(await lab.proxyLog(BROKEN)).toContain('no module tree');
  } finally {
    for (const [name, body] of Object.entries(await lab.logs())) await testInfo.attach(name, { body, contentType: 'text/plain' });
    await testInfo.attach('timings.txt', { body: lab.timings.map(([s, ms]) => `${(ms / 1000).toFixed(1).padStart(7)} s  ${s}`).join('\n'), contentType: 'text/plain' });
    await lab.down();
  }
});
