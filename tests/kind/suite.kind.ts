// The conformance suite's own path (`npx playwright test`, playwright.config.ts) on real kind clusters, built here
// from Debian packages and Go modules (bin/build-kind-images). This host's kernel has no IPVS, so the IPVS cluster
// stops at its preflight; a cluster in another mode goes through the whole path and fails every claim, leading
// with its mode, which proves collection, snapshot and judgment end to end. Serial: each run builds on the last.
import { expect, test } from '@playwright/test';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { recordHostBefore, restoreHost, type HostBefore } from '../../helpers/kind/host-effects.js';
import { snapshotDifferences } from '../../helpers/snapshot/equal.js';
import { skipLoudly } from '../support/loud-skip.js';
import { hostInventory, IMAGES, kindClusterNames, missingPrerequisite, ROOT, runSuite, startSuite, suiteEnv, toolPath, type JsonTest, type SuiteRun } from './suite-run.js';

test.describe.configure({ mode: 'serial' });

const PREFIX = `ipvsc${Math.random().toString(36).slice(2, 6)}`;
let before: Record<string, string[]>;
let hostBefore: HostBefore | undefined;
let stateDir: string;

test.beforeAll(async () => {
  before = await hostInventory();
  hostBefore = await recordHostBefore();
});

// Whatever failed before: no cluster of this run outlives it, and the host is put back (the last test checks it).
test.afterAll(async () => {
  test.setTimeout(5 * 60_000);
  if (!stateDir) return;
  const env = await suiteEnv({ stateDir, clusterName: PREFIX });
  await deleteClusters(env, (await kindClusterNames(env)).filter((n) => n.startsWith(PREFIX)));
  await restoreHost(hostBefore);
});

test.beforeEach(async ({}, testInfo) => {
  const missing = await missingPrerequisite();
  if (missing) skipLoudly(testInfo, `KIND TESTS NOT RUN: ${missing}`);
  stateDir = join(ROOT, '.kind-tests', PREFIX);
  await mkdir(stateDir, { recursive: true });
});

const failedOnly = (run: SuiteRun, project: string) => run.tests.filter((t) => t.project === project);
const brief = (t: JsonTest) => `${t.project} › ${t.title}: ${t.status}${t.errors[0] ? ` (${t.errors[0].split('\n')[0]})` : ''}`;

test('the IPVS cluster from kind/ipvs.yaml stops at the IPVS preflight with one line, and leaves nothing behind', async () => {
  test.setTimeout(10 * 60_000);
  const dir = join(stateDir, 'ipvs');
  const run = await runSuite([], await suiteEnv({ stateDir: dir, clusterName: `${PREFIX}-ipvs` }), dir, 'run');
  const setup = run.tests.find((t) => t.project === 'setup')!;
  expect(run.exitCode, run.output).toBe(1);
  // kube-proxy's own verdict on this kernel is "can't use the IPVS proxier: Ipvs not supported"; the suite names it
  // before any wait, in one line and with no stack trace.
  expect(setup.errors).toHaveLength(1);
  const line = `: the host kernel has no IPVS (no /proc/net/ip_vs, and the ip_vs module is neither loaded nor installed); load the modules on the Docker host with \`sudo modprobe -a ip_vs ip_vs_rr ip_vs_wrr ip_vs_sh nf_conntrack\` and recreate the cluster`;
  expect(setup.errors[0]!.trim()).toMatch(new RegExp(`^PreflightError: node ${PREFIX}-ipvs-(control-plane|worker\\d?)${escapeRe(line)}$`));
  // The claims depend on setup: Playwright runs none of them.
  expect(run.tests.filter((t) => t.project === 'conformance').map((t) => t.status)).toEqual(Array(6).fill('not run'));
  expect(run.tests.find((t) => t.project === 'teardown')?.status).toBe('passed');
  expect(await hostInventory(), 'containers, networks, volumes and host sysctls as before the run').toEqual(before);
  expect(existsSync(join(dir, 'must-not-exist.kubeconfig')), 'no kubeconfig entry written outside the suite’s own files').toBe(false);
});

/**
 * A seed config (4 nodes, the seed's labels) with kube-proxy in iptables mode: a cluster not in IPVS mode.
 * From kind/ipvs.yaml (with its host ports) for the main runs; from kind/nftables.yaml (none) for a second
 * cluster beside a kept one.
 */
async function notIpvsConfig(from: 'ipvs' | 'nftables' = 'ipvs'): Promise<string> {
  const text = (await readFile(join(ROOT, 'kind', `${from}.yaml`), 'utf8')).replace(`kubeProxyMode: "${from}"`, 'kubeProxyMode: "iptables"');
  expect(text).toContain('kubeProxyMode: "iptables"');
  const file = join(stateDir, `not-ipvs-from-${from}.yaml`);
  await writeFile(file, text);
  return file;
}

test('a full run, migration included: the suite builds its clusters, collects and judges, and every claim fails leading with the mode', async () => {
  test.setTimeout(40 * 60_000);
  const env = await suiteEnv({ stateDir, clusterName: PREFIX, extra: { IPVS_CONFORMANCE_KIND_CONFIG: await notIpvsConfig(), IPVS_CONFORMANCE_MIGRATION: '1', KEEP_CLUSTER: '1' } });
  const run = await runSuite([], env, stateDir, 'full');
  const summary = run.tests.map(brief).join('\n');
  for (const p of ['setup', 'baseline-setup', 'migration-setup', 'teardown']) expect(run.tests.find((t) => t.project === p)?.status, `${p}\n${summary}`).toBe('passed');
  // The comparison with real CoreDNS and two clusters' own pod IPs: nothing differs unexpectedly.
  expect(run.tests.find((t) => t.project === 'migration')?.status, `${summary}\n${run.output.slice(-3000)}`).toBe('passed');
  const claims = [...failedOnly(run, 'conformance'), ...failedOnly(run, 'rule-count')];
  expect(claims).toHaveLength(8);
  for (const t of claims) {
    expect(t.status, brief(t)).toBe('failed');
    expect(t.errors[0], brief(t)).toMatch(/kube-proxy runs in iptables mode/);
  }
  expect((await kindClusterNames(env)).filter((n) => n.startsWith(PREFIX)).sort(), 'KEEP_CLUSTER kept the three clusters').toEqual([PREFIX, `${PREFIX}-iptables`, `${PREFIX}-nftables`]);
});

test('collect --nodes docker on a kind cluster writes a snapshot; evaluate re-judges it offline and fails, leading with the mode', async () => {
  test.setTimeout(5 * 60_000);
  const env = await suiteEnv({ stateDir, clusterName: PREFIX });
  const dir = join(stateDir, 'collected');
  const bin = join(ROOT, 'bin', 'ipvs-conformance');
  const c = await execa(bin, ['collect', dir, '--nodes', 'docker', '--kubeconfig', join(stateDir, `${PREFIX}.kubeconfig`), '--context', `kind-${PREFIX}`], { env, extendEnv: true, reject: false, all: true });
  expect(c.exitCode, String(c.all)).toBe(0);
  for (const n of ['control-plane', 'worker', 'worker2', 'worker3']) expect(existsSync(join(dir, 'nodes', `${PREFIX}-${n}`, 'iptables-save.txt')), n).toBe(true);
  const e = await execa(bin, ['evaluate', dir], { reject: false });
  expect(e.exitCode).toBe(1);
  const lines = String(e.stdout).split('\n').filter((l) => l.startsWith('FAIL'));
  expect(lines.length, String(e.stdout)).toBeGreaterThanOrEqual(5);
  for (const l of lines) expect(l).toMatch(/kube-proxy runs in iptables mode/);
  // The later runs need only the IPVS-slot cluster: the other two go now, to spare the two cores.
  await deleteClusters(env, [`${PREFIX}-iptables`, `${PREFIX}-nftables`]);
});

test('one claim alone runs (no baseline cluster needed) and reuses the kept cluster; a run killed in a spec leaves leftovers the next run removes', async () => {
  test.setTimeout(20 * 60_000);
  const env = await suiteEnv({ stateDir, clusterName: PREFIX, extra: { IPVS_CONFORMANCE_KIND_CONFIG: join(stateDir, 'not-ipvs-from-ipvs.yaml') } });
  // Killed with SIGKILL while strict-arp's mypc container runs: no teardown, no global teardown.
  const killed = startSuite(['--grep', '@strict-arp'], env, join(stateDir, 'killed.json'));
  const mypc = await waitFor(async () => (await containersOfCheckout()).length > 0, 10 * 60_000);
  process.kill(-killed.pid!, 'SIGKILL');
  await killed;
  expect(mypc, 'the killed run had started its mypc container').toBe(true);
  const left = await leftoverNamespaces(PREFIX);
  expect(left.length, 'the killed run left its namespace').toBeGreaterThan(0);

  const run = await runSuite(['--grep', '@strict-arp'], env, stateDir, 'single');
  expect(run.tests.map((t) => t.project).sort()).toEqual(['conformance', 'setup', 'teardown']);
  const arp = run.tests.find((t) => t.project === 'conformance')!;
  expect([arp.status, arp.errors[0]]).toEqual(['failed', expect.stringMatching(/kube-proxy runs in iptables mode/)]);
  expect(run.output).toContain(`reusing kind cluster ${PREFIX}`);
  expect(run.output).toMatch(/removed 1 container\(s\) left by earlier runs of this checkout/);
  expect(run.output).toContain(`deleting namespaces left by earlier runs: ${left.join(', ')}`);
  expect(await containersOfCheckout()).toEqual([]);
  expect(await kindClusterNames(env)).toContain(PREFIX);
});

test('two runs at once from two checkouts: the second refuses the first’s cluster in one line, and neither touches the other’s', async () => {
  test.setTimeout(15 * 60_000);
  const config = { IPVS_CONFORMANCE_KIND_CONFIG: join(stateDir, 'not-ipvs-from-ipvs.yaml') };
  const first = startSuite(['--grep', '@strict-arp'], await suiteEnv({ stateDir, clusterName: PREFIX, extra: config }), join(stateDir, 'first.json'));
  const otherDir = join(stateDir, 'other-checkout');
  const second = await runSuite(['--grep', '@strict-arp'], await suiteEnv({ stateDir: otherDir, clusterName: PREFIX, extra: config }), otherDir, 'second');
  const setup = second.tests.find((t) => t.project === 'setup')!;
  expect(setup.errors.map((e) => e.trim())).toEqual([`PreflightError: kind cluster "${PREFIX}" belongs to another ipvs-conformance checkout (${stateDir}); set KIND_CLUSTER_NAME to a name of this run's own`]);
  await first;
  const firstRun = await readFile(join(stateDir, 'first.json'), 'utf8');
  expect(firstRun).toContain('"projectName": "conformance"');
  expect(await kindClusterNames(await suiteEnv({ stateDir, clusterName: PREFIX }))).toContain(PREFIX);
});

test('any cluster through its kubeconfig alone: node agents give the snapshot docker exec gives, refuse in one line, leave nothing on Ctrl-C; an in-place switch to nftables compares clean', async ({}, testInfo) => {
  test.setTimeout(20 * 60_000);
  const env = await suiteEnv({ stateDir, clusterName: PREFIX, extra: { IPVS_CONFORMANCE_AGENT_IMAGE: IMAGES.netshoot } });
  const target = ['--kubeconfig', join(stateDir, `${PREFIX}.kubeconfig`), '--context', `kind-${PREFIX}`];
  const cli = (args: string[]) => execa(join(ROOT, 'bin', 'ipvs-conformance'), args, { env, extendEnv: true, reject: false, all: true });
  const kubectl = (args: string[], input?: string) => execa('kubectl', [...target, ...args], { env, extendEnv: true, reject: false, all: true, ...(input !== undefined && { input }) });
  const ours = async () => String((await kubectl(['get', 'ns', '-o', 'name'])).stdout).split('\n').filter((n) => n.includes('ipvs-conformance-agents-') || n.includes('ipvs-conformance-workload'));

  // 1. The same nodes read both ways: equal state, file by file.
  const viaAgents = join(stateDir, 'via-agents');
  const started = Date.now();
  const a = await cli(['collect', viaAgents, ...target]);
  const agentSeconds = (Date.now() - started) / 1000;
  expect(a.exitCode, String(a.all)).toBe(0);
  const d = await cli(['collect', join(stateDir, 'via-docker'), '--nodes', 'docker', ...target]);
  expect(d.exitCode, String(d.all)).toBe(0);
  expect(await snapshotDifferences(viaAgents, join(stateDir, 'via-docker')), 'node agents and docker exec read the same state').toEqual([]);
  expect(existsSync(join(viaAgents, 'nodes', `${PREFIX}-worker3`, 'iptables-save.txt'))).toBe(true);
  testInfo.annotations.push({ type: 'timing', description: `collect through node agents on 4 nodes, agents started and removed: ${agentSeconds.toFixed(1)} s` });
  expect(await ours(), 'the agents are gone').toEqual([]);

  // 2. A cluster whose admission forbids privileged pods: one line, exit 2, nothing left.
  expect((await kubectl(['apply', '-f', '-'], DENY_PRIVILEGED)).exitCode).toBe(0);
  try {
    await expect.poll(async () => (await cli(['collect', join(stateDir, 'refused'), ...target])).all, { timeout: 60_000, message: 'the policy takes effect' }).toMatch(/forbids the node agents/);
    const r = await cli(['collect', join(stateDir, 'refused'), ...target]);
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr).trim()).toMatch(new RegExp(`^ipvs-conformance: kind-${PREFIX} forbids the node agents \\(privileged, hostNetwork pods\\): asked to create a privileged hostNetwork pod in ipvs-conformance-agents-\\w+, it answered: .*privileged containers are not allowed; see README "Your own cluster" for what they need$`));
    expect(await ours()).toEqual([]);
  } finally {
    await kubectl(['delete', '-f', '-'], DENY_PRIVILEGED);
  }

  // 3. Ctrl-C while the workload deploys: the run removes its agents and workload, and exits 130.
  const interrupted = execa(join(ROOT, 'bin', 'ipvs-conformance'), ['collect', join(stateDir, 'interrupted'), '--workload', ...target], { env, extendEnv: true, reject: false, all: true });
  let seen = '';
  interrupted.all?.on('data', (chunk: Buffer) => (seen += chunk.toString()));
  const deploying = await waitFor(async () => seen.includes('deploying') || interrupted.exitCode !== null, 3 * 60_000);
  interrupted.kill('SIGINT');
  const i = await interrupted;
  expect(deploying).toBe(true);
  expect([i.exitCode, String(i.all)]).toEqual([130, expect.stringContaining('SIGINT: removing what this run created')]);
  expect(await ours()).toEqual([]);

  // 4. In place, as a user migrates: the workload probed, the ConfigMap's mode changed and the DaemonSet rolled,
  // probed again, and compared. This kernel has no IPVS, so the switch here is from iptables.
  const before = join(stateDir, 'in-place-before');
  const b = await cli(['collect', before, '--workload', '--requests', '30', ...target]);
  expect(b.exitCode, String(b.all)).toBe(0);
  const cm = await kubectl(['-n', 'kube-system', 'get', 'configmap', 'kube-proxy', '-o', 'yaml']);
  expect(String(cm.stdout)).toMatch(/^ {4}mode: iptables$/m);
  expect((await kubectl(['apply', '-f', '-'], String(cm.stdout).replace(/^ {4}mode: iptables$/m, '    mode: nftables'))).exitCode).toBe(0);
  expect((await kubectl(['-n', 'kube-system', 'rollout', 'restart', 'daemonset/kube-proxy'])).exitCode).toBe(0);
  expect((await kubectl(['-n', 'kube-system', 'rollout', 'status', 'daemonset/kube-proxy', '--timeout=300s'])).exitCode).toBe(0);
  const modes = join(stateDir, 'in-place-modes');
  const switched = await waitFor(async () => (await cli(['collect', modes, ...target])).exitCode === 0 && (await proxyModes(modes)).every((m) => m === 'nftables'), 3 * 60_000);
  expect(switched, `every node's kube-proxy reports nftables: ${(await proxyModes(modes)).join(', ')}`).toBe(true);
  const after = join(stateDir, 'in-place-after');
  const c = await cli(['collect', after, '--workload', '--requests', '30', ...target]);
  expect(c.exitCode, String(c.all)).toBe(0);
  const compared = await cli(['compare', before, after]);
  await testInfo.attach('compare in place.txt', { body: String(compared.stdout) });
  expect([compared.exitCode, String(compared.stdout)]).toEqual([0, expect.stringMatching(/iptables → nftables: \d+ rows: \d+ same, \d+ differ as documented, 0 differ unexpectedly/)]);
  expect(await ours()).toEqual([]);
});

/** Each node's proxy-mode.txt of a snapshot ('absent' where kube-proxy did not answer). */
async function proxyModes(dir: string): Promise<string[]> {
  const nodes = await readdir(join(dir, 'nodes')).catch(() => [] as string[]);
  return Promise.all(nodes.map(async (n) => (await readFile(join(dir, 'nodes', n, 'proxy-mode.txt'), 'utf8').catch(() => 'absent')).trim()));
}

/** A cluster-side policy like a user's policy engine: no privileged containers. */
const DENY_PRIVILEGED = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: ipvs-conformance-test-deny-privileged
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: [""]
      apiVersions: ["v1"]
      operations: ["CREATE"]
      resources: ["pods"]
  validations:
  - expression: "!object.spec.containers.exists(c, has(c.securityContext) && has(c.securityContext.privileged) && c.securityContext.privileged)"
    message: "privileged containers are not allowed"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: ipvs-conformance-test-deny-privileged
spec:
  policyName: ipvs-conformance-test-deny-privileged
  validationActions: [Deny]
`;

test('a run killed during kind create: the next run recreates that half-made cluster; a cluster the suite did not create is never touched', async () => {
  test.setTimeout(20 * 60_000);
  const name = `${PREFIX}-half`;
  const dir = join(stateDir, 'half');
  // No host ports: the kept cluster holds 30000-30004.
  const env = await suiteEnv({ stateDir: dir, clusterName: name, extra: { IPVS_CONFORMANCE_KIND_CONFIG: await notIpvsConfig('nftables') } });
  const killed = startSuite(['--grep', '@strict-arp'], env, join(dir, 'killed.json'));
  const creating = await waitFor(async () => (await kindClusterNames(env)).includes(name), 5 * 60_000);
  process.kill(-killed.pid!, 'SIGKILL');
  await killed;
  expect(creating, 'the killed run had begun kind create').toBe(true);
  const run = await runSuite(['--grep', '@strict-arp'], env, dir, 'after-kill');
  expect(run.output).toContain(`kind cluster "${name}" was left half created by an interrupted run of this checkout: deleting it and creating it again`);
  expect(run.tests.find((t) => t.project === 'setup')?.status, run.tests.map(brief).join('\n')).toBe('passed');
  expect(await kindClusterNames(env), 'deleted at the end of the run that recreated it').not.toContain(name);

  // A user's own cluster of the same name: refused in one line, and still there afterwards.
  const foreign = `${PREFIX}-user`;
  const kubeconfig = join(dir, 'user.kubeconfig');
  const made = await execa('kind', ['create', 'cluster', '--name', foreign, '--image', (await suiteEnv({ stateDir, clusterName: PREFIX })).KIND_NODE_IMAGE!, '--kubeconfig', kubeconfig], { env, extendEnv: true, reject: false, all: true });
  expect(made.exitCode, String(made.all)).toBe(0);
  try {
    const refused = await runSuite(['--grep', '@strict-arp'], await suiteEnv({ stateDir: dir, clusterName: foreign }), dir, 'foreign');
    expect(refused.tests.find((t) => t.project === 'setup')?.errors.map((e) => e.trim())).toEqual([
      `PreflightError: a kind cluster named "${foreign}" exists but was not created by ipvs-conformance; delete it yourself or set KIND_CLUSTER_NAME to another name`,
    ]);
    expect(await kindClusterNames(env)).toContain(foreign);
  } finally {
    await execa('kind', ['delete', 'cluster', '--name', foreign, '--kubeconfig', kubeconfig], { env, extendEnv: true, reject: false });
  }
});

test('afterwards: the kept clusters deleted, the host is as it was before the first run', async () => {
  test.setTimeout(5 * 60_000);
  const env = await suiteEnv({ stateDir, clusterName: PREFIX });
  await deleteClusters(env, (await kindClusterNames(env)).filter((n) => n.startsWith(PREFIX)));
  // KEEP_CLUSTER kept the host's changes with its clusters: the suite's own restore puts the host back once they
  // are gone, and the inventory, read independently, checks it.
  expect((await restoreHost(hostBefore)).restored).toBe(true);
  expect(await hostInventory()).toEqual(before);
});

async function deleteClusters(env: Record<string, string>, names: string[]): Promise<void> {
  for (const name of names) await execa('kind', ['delete', 'cluster', '--name', name, '--kubeconfig', join(stateDir, `${name}.kubeconfig`)], { env, extendEnv: true, reject: false });
}

async function containersOfCheckout(): Promise<string[]> {
  const r = await execa('docker', ['ps', '-aq', '--filter', `label=ipvs-conformance/checkout=${stateDir}`], { reject: false });
  return String(r.stdout).split('\n').filter(Boolean);
}

async function leftoverNamespaces(cluster: string): Promise<string[]> {
  const r = await execa('kubectl', ['--kubeconfig', join(stateDir, `${cluster}.kubeconfig`), '--context', `kind-${cluster}`, 'get', 'ns', '-l', 'ipvs-conformance/run', '-o', 'name'], { env: { PATH: await toolPath() }, reject: false });
  return String(r.stdout).split('\n').filter(Boolean).map((l) => l.replace('namespace/', ''));
}

/** Polls `done` every second until it holds or `ms` pass (bounded). */
async function waitFor(done: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await done()) return true;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  return false;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
