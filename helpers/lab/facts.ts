// The facts each lab scenario proves about real kube-proxy beyond the six verdicts, kept with the scenarios
// (scenarios.ts gives each its `facts`). They assert through the spec's own `expect`, passed in with the kit.
import type { expect as Expect } from '@playwright/test';
import { execa } from 'execa';
import { join } from 'node:path';
import { judgeKubeIpvs0Convergence } from '../claims/convergence.js';
import { checkNodeImage } from '../kind/preflight.js';
import { readSnapshot } from '../snapshot/read.js';
import { LAB_CONTEXT } from './control-plane.js';
import { DEPRECATING_PROXY_VERSION } from './kube-binaries.js';
import type { LabCluster } from './lab-cluster.js';
import { DOWN_NODE, NEW_SERVICE, POLICY_SERVICES, SEED_SERVICE, SHAPES } from './topology.js';

const CLI = join(import.meta.dirname, '..', '..', 'bin', 'ipvs-conformance');

/** What a fact needs from the test running it. */
export interface FactKit {
  expect: typeof Expect;
  attach(name: string, body: string, contentType?: string): Promise<void>;
  outputPath(name: string): string;
  annotate(type: string, description: string): void;
}

export type Fact = (lab: LabCluster, snapshotDir: string, t: FactKit) => Promise<void>;

/**
 * The convergence judge on real kube-proxy's state, from the scenario's own snapshot: `ip` on every node's
 * kube-ipvs0 (a pass), or, where kube-proxy was down when its Service came, missing on `lacking` alone.
 */
async function convergenceJudged(snapshotDir: string, ip: string, lacking: string[], t: FactKit): Promise<void> {
  const verdict = judgeKubeIpvs0Convergence(await readSnapshot(snapshotDir), ip, true);
  await t.attach(`convergence verdict: ${ip}`, JSON.stringify(verdict, null, 2), 'application/json');
  const expected = lacking.length === 0 ? { status: 'pass' } : { status: 'fail', message: lacking.map((n) => `${n}: kube-ipvs0 lacks ${ip}`).join('; ') };
  t.expect(verdict).toMatchObject(expected);
}

/**
 * What real kube-proxy did with the Service shapes, beyond the claims: eTP Local's health-check port answers 200
 * where a local endpoint is and 503 where none is; with no local endpoint, IPVS still gives the external virtual
 * server every endpoint (kubernetes#97081); an ExternalName Service is in no model; and the kernel cut
 * /proc/net/ip_vs of a table over a page while ipvsadm's netlink dump listed it whole.
 */
async function shapesAsProgrammed(lab: LabCluster, snapshotDir: string, t: FactKit): Promise<void> {
  const snap = await readSnapshot(snapshotDir);
  const lbLocal = snap.cluster.services.find((s) => s.name === SHAPES.lbLocal.name)!;
  const hc = lbLocal.healthCheckNodePort!;
  const ask = async (node: string) => {
    const ip = lab.topo.nodes.find((n) => n.name === node)!.ip;
    const r = await lab.exec('mypc').run(['curl', '-s', '--max-time', '5', '-o', '/dev/null', '-w', '%{http_code}', `http://${ip}:${hc}/`]);
    return r.stdout.trim();
  };
  const codes = { 'myk8s-control-plane': await ask('myk8s-control-plane'), 'myk8s-worker2': await ask('myk8s-worker2') };
  await t.attach(`healthCheckNodePort ${hc} from mypc`, JSON.stringify(codes, null, 2), 'application/json');
  t.expect(codes, 'eTP Local: 503 on a node without a local endpoint, 200 on one with').toEqual({ 'myk8s-control-plane': '503', 'myk8s-worker2': '200' });
  const realServers = (node: string, vip: string) => snap.nodes.find((n) => n.name === node)!.ipvs.find((vs) => vs.address === vip)?.realServers.map((r) => r.address).sort();
  t.expect(realServers('myk8s-control-plane', SHAPES.lbLocal.ingressIP), 'no local endpoint: IPVS falls back to all').toEqual(['10.10.1.2', '10.10.2.2', '10.10.3.2']);
  t.expect(realServers('myk8s-worker2', SHAPES.lbLocal.ingressIP), 'eTP Local: the node’s own endpoint').toEqual(['10.10.2.2']);
  t.expect(snap.cluster.services.map((s) => s.name)).not.toContain('svc-external-name');
  // Dual-stack: the IPv6 proxier programs the IPv6 ClusterIP with the IPv6 EndpointSlice's endpoints.
  t.expect(realServers('myk8s-worker2', SHAPES.dual.clusterIPv6), 'svc-dual over IPv6').toEqual(['fd00:10:10:1::2', 'fd00:10:10:2::2', 'fd00:10:10:3::2']);
  t.expect(realServers('myk8s-worker2', SHAPES.dual.clusterIP), 'svc-dual over IPv4').toEqual(['10.10.1.2', '10.10.2.2', '10.10.3.2']);
  const cut = snap.nodes.filter((n) => n.ipvsNote !== undefined);
  await t.attach('IPVS table sources', snap.nodes.map((n) => `${n.name}: ${n.ipvs.length} virtual servers from ${n.ipvsFile ?? 'nowhere'}${n.ipvsNote ? `; ${n.ipvsNote}` : ''}`).join('\n'));
  t.expect(cut.length, 'the kernel cut /proc/net/ip_vs on a node (a table over a page, four netns with services)').toBeGreaterThan(0);
}

export const FACTS = {
  // The live `collect` command against this real kube-apiserver: its API part runs for real. The harness stands in
  // for kubelets, so no node is Ready and no agent can run (one line, exit 2, nothing created); through docker
  // exec, lab nodes are no containers and run kube-proxy as no pod (one line, exit 2).
  conforming: async (lab, snapshotDir, t) => {
    const target = ['--kubeconfig', lab.adminKubeconfig, '--context', LAB_CONTEXT];
    const agents = await execa(CLI, ['collect', t.outputPath('collect-agents'), ...target], { reject: false });
    const docker = await execa(CLI, ['collect', t.outputPath('collect-docker'), '--nodes', 'docker', ...target], { reject: false });
    await t.attach('bin/ipvs-conformance collect (against the lab API server)', [agents, docker].map((r) => `$ ${r.command}\nexit ${r.exitCode}\n${r.stderr}`).join('\n\n'));
    t.expect([agents.exitCode, agents.stderr]).toEqual([2, `ipvs-conformance: ${LAB_CONTEXT}: node myk8s-control-plane is not Ready (no kubelet reports it so): no node agent can run there`]);
    t.expect((await lab.k8s.core.listNamespace()).items.map((n) => n.metadata!.name!).filter((n) => n.startsWith('ipvs-conformance'))).toEqual([]);
    t.expect(docker.stderr).toMatch(/^collect: read https:\/\/127\.0\.0\.1:\d+: 4 nodes, 20 services, kube-proxy mode ipvs$/m);
    t.expect(docker.stderr).toMatch(/^ipvs-conformance: no kube-proxy pod runs on node myk8s-control-plane/m);
    t.expect(docker.exitCode).toBe(2);
    await convergenceJudged(snapshotDir, SEED_SERVICE.clusterIP, [], t);
    await shapesAsProgrammed(lab, snapshotDir, t);
  },
  'proxy-down-new-service': async (_lab, snapshotDir, t) => {
    await convergenceJudged(snapshotDir, NEW_SERVICE.clusterIP, [DOWN_NODE], t);
  },
  'conforming-v1.37': async (lab, _dir, t) => {
    const log = await lab.proxyLog('myk8s-worker');
    t.expect(log).toContain(`"Version info" version="${DEPRECATING_PROXY_VERSION}"`);
    const deprecation = log.split('\n').filter((l) => l.includes('The ipvs proxier has been deprecated'));
    t.expect(deprecation, 'kube-proxy logs the IPVS deprecation').not.toHaveLength(0);
    await t.attach('kube-proxy IPVS deprecation (myk8s-worker)', deprecation.join('\n'));
    t.expect(checkNodeImage(`kindest/node:${DEPRECATING_PROXY_VERSION}`).warning, 'preflight warns for this version, as kube-proxy does').toMatch(/deprecated/);
  },
  'graceful-termination': async (_lab, snapshotDir, t) => {
    const snap = await readSnapshot(snapshotDir);
    const ep = snap.cluster.services.find((s) => s.name === 'svc-clusterip')!.ports[0]!.endpoints.find((e) => e.pod === 'webpod3')!;
    t.expect(ep, 'webpod3 is terminating and still serving').toMatchObject({ ready: false, serving: true, terminating: true });
    const client = snap.nodes.find((n) => n.name === 'myk8s-control-plane')!;
    const rs = client.ipvs.find((vs) => vs.address === '10.200.1.245')!.realServers.find((r) => r.address === '10.10.3.2');
    // "At most": kube-proxy's graceful termination keeps the real server at weight 0 while it has connections and
    // removes it once they are gone. A slow sync (166 s once in CI) outlives IPVS's 120 s TIME_WAIT entries of the
    // probe's connections, so both are real kube-proxy behaviour; any weight above 0 is a failure.
    t.annotate('graceful-termination', rs ? `webpod3 kept at weight ${rs.weight} (${rs.activeConn} active, ${rs.inactConn} inactive)` : 'webpod3 removed: its connections had drained');
    if (rs) t.expect(rs.weight, 'the client node keeps webpod3 at weight 0 while its connections drain').toBe(0);
  },
  'endpoint-policies': async (_lab, snapshotDir, t) => {
    const snap = await readSnapshot(snapshotDir);
    const realServers = (node: string, vip: string) =>
      snap.nodes.find((n) => n.name === node)!.ipvs.find((vs) => vs.address === vip)?.realServers.map((r) => r.address).sort();
    const { local, zonal, otherProxy } = POLICY_SERVICES;
    // internalTrafficPolicy Local: each node only its own webpod; the control plane has none (an empty virtual server).
    t.expect(realServers('myk8s-control-plane', local.clusterIP)).toEqual([]);
    t.expect(realServers('myk8s-worker2', local.clusterIP)).toEqual(['10.10.2.2']);
    // PreferClose: the zone's endpoints; ap-northeast-2a holds the control plane and worker (webpod1).
    t.expect(realServers('myk8s-control-plane', zonal.clusterIP)).toEqual(['10.10.1.2']);
    t.expect(realServers('myk8s-worker3', zonal.clusterIP)).toEqual(['10.10.3.2']);
    // A service another proxy claims is not programmed anywhere, and is not in the model.
    for (const n of snap.nodes) t.expect(realServers(n.name, otherProxy.clusterIP), n.name).toBeUndefined();
    t.expect(snap.cluster.services.map((s) => s.name)).not.toContain(otherProxy.name);
  },
  'iptables-to-ipvs': async (lab, _dir, t) => {
    t.expect(await lab.proxyLog('myk8s-worker')).toContain('Using iptables Proxier');
  },
} satisfies Record<string, Fact>;
