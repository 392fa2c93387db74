// `npm run lab:scale`: the scale curve on Kubernetes' own kube-proxy. For each mode (IPVS in the UML guest,
// nftables and iptables in host netns) it adds Services with three endpoints each up to every step, waits until
// kube-proxy has programmed them, and reads the rule count, kube-proxy's own sync-duration metric and its memory
// on the control-plane node. A benchmark: it prints a table and attaches a chart; its numbers are not asserted.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { collectNodeFiles } from '../../helpers/collectors/node.js';
import { runOk, type Exec } from '../../helpers/exec/exec.js';
import type { K8s } from '../../helpers/cluster/k8s.js';
import { HostCluster } from '../../helpers/lab/host-cluster.js';
import { METRICS_PORT } from '../../helpers/lab/kube-proxy.js';
import { LabCluster } from '../../helpers/lab/lab-cluster.js';
import { ParseError } from '../../helpers/parsers/parse-error.js';
import { createServices, kubeProxyRuleCount, meanSyncMs, parseSyncDuration, programmedScaleServices, SCALE_SERVICE_CIDR, SCALE_STEPS, scaleServices, scaleTable, type ScalePoint } from '../../helpers/lab/scale.js';
import { seedTopology } from '../../helpers/lab/topology.js';
import { scaleCurveSvg, SCALE_CURVE_NOTE } from '../../helpers/report/scale-chart.js';
import { barChart } from '../../helpers/report/svg.js';
import type { ProxyMode } from '../../helpers/snapshot/model.js';
import type { NodeFiles } from '../../helpers/snapshot/write.js';
import { test } from './lab-fixture.js';

const NODE = 'myk8s-control-plane';
const TOPOLOGY = { nodeNames: [NODE, 'myk8s-worker'], extraServices: 0 };
const RESULTS = join(import.meta.dirname, '..', '..', 'results', 'lab-scale');
const steps = (process.env.LAB_SCALE_STEPS?.split(',').map(Number) ?? SCALE_STEPS).filter((n) => n > 0);

interface ScaleCluster {
  k8s: K8s;
  exec(name: string): Exec;
  step<T>(name: string, body: () => Promise<T>): Promise<T>;
  proxyRssKb(node: string): Promise<number>;
  down(): Promise<void>;
}

/** Every scale-* Service has its EndpointSlice with three endpoints: only then is "synced" about all of them. */
async function waitForScaleSlices(k8s: K8s, n: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const slices = await k8s.discovery.listNamespacedEndpointSlice({ namespace: 'default' });
    const done = slices.items.filter((s) => s.metadata?.labels?.['kubernetes.io/service-name']?.startsWith('scale-') && (s.endpoints ?? []).length === 3).length;
    if (done >= n) return;
    await sleep(500);
  }
  throw new Error(`scale: the EndpointSlices of ${n} Services did not appear within 5 minutes`);
}

/**
 * The benchmark counts what is programmed, so it reads the rules themselves until the node has programmed every
 * Service and two readings in a row agree (an `ipset list` taken while kube-proxy still adds members does not
 * even add up); returns the rule count then.
 */
async function programmed(mode: ProxyMode, c: ScaleCluster, n: number): Promise<{ rules: number; detail: string }> {
  const services = await c.k8s.core.listNamespacedService({ namespace: 'default' });
  const ips = new Set(services.items.filter((s) => s.metadata?.name?.startsWith('scale-')).map((s) => s.spec!.clusterIP!));
  const source = `${mode} ${NODE}`;
  let previous: string | undefined;
  for (let i = 0; i < 600; i++) {
    const files = await collectNodeFiles({ name: NODE, shell: c.exec(NODE), ipset: c.exec(NODE) });
    const count = programmedScaleServices(mode, files, ips, source) >= n ? settledCount(mode, files, source) : undefined;
    if (count && count.detail === previous) return count;
    previous = count?.detail;
    await sleep(2_000);
  }
  throw new Error(`scale: ${mode} kube-proxy on ${NODE} did not program ${n} Services after 600 readings`);
}

function settledCount(mode: ProxyMode, files: NodeFiles, source: string): { rules: number; detail: string } | undefined {
  try {
    return kubeProxyRuleCount(mode, files, source);
  } catch (e) {
    if (e instanceof ParseError) return undefined;
    throw e;
  }
}

async function measure(mode: ProxyMode, c: ScaleCluster, log: (line: string) => void): Promise<ScalePoint[]> {
  const metrics = async () => parseSyncDuration(await runOk(c.exec(NODE), ['curl', '-s', '--max-time', '10', `http://127.0.0.1:${METRICS_PORT}/metrics`]));
  const points: ScalePoint[] = [];
  let have = 0;
  for (const n of steps) {
    const before = await metrics();
    // No wait on the sync metrics here: in the UML guest one IPVS sync of 1,000 Services takes minutes (kube-proxy
    // spawns ipset per entry), and `programmed` reads the real state anyway.
    await c.step(`${n} Services with 3 endpoints each`, async () => {
      await createServices(c.k8s, scaleServices(have, n));
      await waitForScaleSlices(c.k8s, n);
    });
    have = n;
    const rules = await programmed(mode, c, n);
    const sync = meanSyncMs(before, await metrics());
    const point = { mode, services: n, rules: rules.rules, ruleDetail: rules.detail, syncMeanMs: sync.meanMs, syncs: sync.syncs, rssMb: (await c.proxyRssKb(NODE)) / 1024 };
    log(`${mode} N=${n}: ${point.rules} rules (${point.ruleDetail}), mean sync ${point.syncMeanMs.toFixed(0)} ms over ${point.syncs}, RSS ${point.rssMb.toFixed(0)} MB`);
    points.push(point);
  }
  return points;
}

/** Written after every mode, so a run stopped during the long IPVS part keeps what it measured. */
async function writeResults(points: ScalePoint[]): Promise<string> {
  const table = `Measured ${new Date().toISOString().slice(0, 10)} on ${NODE}, Kubernetes' own kube-proxy v1.34.4, the seed's 4 Services plus N:\n\n${scaleTable(points)}\n`;
  await mkdir(RESULTS, { recursive: true });
  await writeFile(join(RESULTS, 'scale.md'), table);
  await writeFile(join(RESULTS, 'scale.json'), JSON.stringify(points, null, 2) + '\n');
  return table;
}

test('scale curve: rules, sync time and memory per mode as Services grow', async ({}, testInfo) => {
  test.setTimeout(90 * 60_000);
  const log = (line: string) => console.log(`[scale] ${line}`);
  const points: ScalePoint[] = [];
  let table = '';
  // The host-kernel modes first: they take seconds, IPVS in the UML guest takes most of the run.
  for (const mode of ['nftables', 'iptables', 'ipvs'] as const) {
    const dir = testInfo.outputPath(mode);
    const c: ScaleCluster =
      mode === 'ipvs'
        ? await LabCluster.up(dir, { topology: TOPOLOGY, serviceCIDR: SCALE_SERVICE_CIDR, log })
        : await HostCluster.up(dir, { mode, topo: seedTopology(TOPOLOGY), tag: 'scl', serviceCIDR: SCALE_SERVICE_CIDR, log });
    try {
      points.push(...(await test.step(`${mode}: ${steps.join(', ')} Services`, () => measure(mode, c, log))));
    } finally {
      await c.down();
    }
    table = await writeResults(points);
  }
  console.log(table);
  await testInfo.attach('scale.md', { body: table, contentType: 'text/markdown' });
  const bars = (value: (p: ScalePoint) => number) => points.map((p) => ({ label: `${p.mode} N=${p.services}`, value: Math.round(value(p)) }));
  const curve = scaleCurveSvg(points, SCALE_CURVE_NOTE(new Date().toISOString().slice(0, 10)));
  await writeFile(join(RESULTS, 'scale-curve.svg'), curve);
  await testInfo.attach('scale-curve.svg', { body: curve, contentType: 'image/svg+xml' });
  await testInfo.attach('rules.svg', { body: barChart('kube-proxy rules (IPv4) by mode and Services', bars((p) => p.rules)), contentType: 'image/svg+xml' });
  await testInfo.attach('sync.svg', { body: barChart('mean sync duration (ms), kube-proxy metric', bars((p) => p.syncMeanMs)), contentType: 'image/svg+xml' });
  await testInfo.attach('memory.svg', { body: barChart('kube-proxy RSS (MB)', bars((p) => p.rssMb)), contentType: 'image/svg+xml' });
});
