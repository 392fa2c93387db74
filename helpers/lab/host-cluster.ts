// A lab cluster on the host kernel, without UML: Kubernetes' own kube-proxy in iptables or nftables mode (neither
// needs IPVS), one per node, each node a network namespace. The wiring is the UML lab's (nodes on a "kind" bridge,
// pods behind veths, mypc), inside a run-scoped root netns so nothing lands in the host's own namespace; each
// node reaches the real control plane on the host through a second veth, `up0`.
import { execa, type ResultPromise } from 'execa';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProbeSites } from '../collectors/migration-probes.js';
import type { NodeAccess } from '../collectors/node.js';
import type { Exec } from '../exec/exec.js';
import { ProcessExec } from '../exec/process-exec.js';
import { oneShellPerNode, type Cluster } from '../cluster/cluster.js';
import { collect } from '../cluster/collect.js';
import { k8sClients, type K8s } from '../cluster/k8s.js';
import type { ClusterJson, ProxyMode } from '../snapshot/model.js';
import { LAB_CONTEXT, type ControlPlane } from './control-plane.js';
import { killNetnsProcesses } from './cleanup.js';
import { createVethInto, LINK_PREFIX, type HostLink } from './host-net.js';
import { kubeProxyBinary } from './kube-binaries.js';
import { METRICS_PORT, nodeConfigYaml, parseSyncMetrics, pollUntilSynced, seedKubeProxyConfig, SyncWatch, type SyncState } from './kube-proxy.js';
import { createSeedObjects, rssKb, seedBalanceProbe, startControlPlane } from './lab-cluster.js';
import type { LabTopology } from './topology.js';
import { startOrStop, Steps } from './steps.js';
import { wiringScript, writeWebRoots } from './wiring.js';

const SYNC_TIMEOUT_MS = 120_000;
/** See LabCluster.change: kube-proxy's metrics cannot tell whether its watch has delivered the last event. */
const WATCH_DELIVERY_MARGIN_MS = 2_000;

export interface HostClusterOptions {
  mode: Extract<ProxyMode, 'iptables' | 'nftables'>;
  topo: LabTopology;
  /** A short tag in the netns names, so two host clusters of one worker never collide. */
  tag: string;
  serviceCIDR?: string;
  log?: (line: string) => void;
}

export class HostCluster implements Cluster {
  private cp?: ControlPlane;
  private k8sClient?: K8s;
  private readonly uplinks = new Map<string, HostLink>();
  private readonly proxies = new Map<string, ResultPromise>();
  private wired = false;

  private readonly steps: Steps;

  private constructor(
    readonly dir: string,
    readonly o: HostClusterOptions,
  ) {
    this.steps = new Steps(o.log, `${o.mode}: `);
  }

  /** Milliseconds per step, in order, for the report. */
  get timings(): [step: string, ms: number][] {
    return this.steps.timings;
  }

  static async up(dir: string, o: HostClusterOptions): Promise<HostCluster> {
    return startOrStop(new HostCluster(resolve(dir), o), (c) => c.start());
  }

  get topo(): LabTopology {
    return this.o.topo;
  }

  get k8s(): K8s {
    if (!this.k8sClient) throw new Error(`${this.o.mode} host cluster is not up`);
    return this.k8sClient;
  }

  /** The host netns name of a lab node, pod or mypc. */
  netns(name: string): string {
    return `${LINK_PREFIX}-${process.pid}-${this.o.tag}-${name}`;
  }

  exec(name: string): Exec {
    const ns = this.netns(name);
    return new ProcessExec(`${this.o.mode} lab ${name} netns`, ['ip', 'netns', 'exec', ns]);
  }

  step<T>(name: string, body: () => Promise<T>): Promise<T> {
    return this.steps.run(name, body);
  }

  /** Applies an API change and waits until every running kube-proxy has synced it. */
  async change(name: string, body: () => Promise<void>): Promise<void> {
    const watch = await this.watch();
    await this.step(name, body);
    await sleep(WATCH_DELIVERY_MARGIN_MS);
    await this.step(`kube-proxy synced: ${name}`, () => this.waitSynced(watch));
  }

  /** Kills kube-proxy as a crash would: its rules stay as they were. */
  async killKubeProxy(node: string): Promise<void> {
    await this.step(`kill kube-proxy on ${node}`, async () => {
      const proc = this.proxies.get(node);
      proc?.kill('SIGKILL');
      await proc?.catch(() => undefined);
      this.proxies.delete(node);
    });
  }

  /** kube-proxy's resident memory on a node, in kB (`ip netns exec` execs kube-proxy in its own process). */
  async proxyRssKb(node: string): Promise<number> {
    const pid = this.proxies.get(node)?.pid;
    return rssKb(pid === undefined ? '' : await readFile(`/proc/${pid}/status`, 'utf8').catch(() => ''), `kube-proxy on ${node}`);
  }

  get label(): string {
    return `the ${this.o.mode} host netns backend`;
  }

  /** Each node's host netns; the host's ipset sees that netns's sets too. */
  nodes(): Promise<NodeAccess[]> {
    return Promise.resolve(oneShellPerNode(this.topo.nodes.map((n) => n.name), (n) => this.exec(n)));
  }

  /** cluster.json, every node's outputs, and (when asked) the seed's balance probe and the migration probes. */
  async snapshot(dir: string, o: { balance?: boolean; probes?: ProbeSites } = {}): Promise<ClusterJson> {
    const snap = await collect(this, dir, {
      step: (name, body) => this.step(name, body),
      ...(o.balance && { balance: { probe: seedBalanceProbe(this.topo) } }),
      ...(o.probes && { migration: { sites: o.probes } }),
    });
    return snap.cluster;
  }

  /** kube-proxy's log per node, as text (a node whose kube-proxy never started has none). */
  async logs(): Promise<Record<string, string>> {
    const texts = await Promise.all(this.topo.nodes.map((n) => readFile(this.logFile(n.name), 'utf8').catch(() => '')));
    return Object.fromEntries(this.topo.nodes.map((n, i) => [`kube-proxy-${this.o.mode}-${n.name}.log`, texts[i]!]));
  }

  /** Stops everything this cluster started, whatever state it is in; safe to call twice. */
  async down(): Promise<void> {
    for (const node of [...this.proxies.keys()]) await this.killKubeProxy(node);
    await this.cp?.stop().catch(() => undefined);
    this.cp = undefined;
    for (const link of this.uplinks.values()) await link.remove();
    this.uplinks.clear();
    if (!this.wired) return;
    const names = [...this.topo.nodes.map((n) => n.name), ...this.topo.pods.map((p) => p.name), this.topo.mypc.name, 'root'];
    // The backends (httpd, whoami.pl) run in pod netns: a netns is only gone once its processes are.
    for (const name of names) await killNetnsProcesses(this.netns(name));
    for (const name of names) await execa('ip', ['netns', 'del', this.netns(name)], { reject: false });
    this.wired = false;
  }

  private logFile(node: string): string {
    return join(this.dir, 'kube-proxy', `${node}.log`);
  }

  private async start(): Promise<void> {
    const { topo, mode } = this.o;
    await this.step('wire nodes, pods and mypc in host network namespaces; start the backends', () => this.wire());
    for (const n of topo.nodes) this.uplinks.set(n.name, await createVethInto(this.netns(n.name), { peer: 'up0', defaultRoute: false }));
    const hostIPs = [...this.uplinks.values()].map((l) => l.hostIP);
    const cp = (this.cp = await this.step('etcd, kube-apiserver, kube-controller-manager', () => startControlPlane(this.dir, topo, hostIPs, this.o.serviceCIDR)));
    const k8s = (this.k8sClient = k8sClients({ kubeconfig: cp.adminKubeconfig, context: LAB_CONTEXT }));
    const config = seedKubeProxyConfig({ mode, strictARP: false });
    await this.step('Nodes, kube-proxy ConfigMap, Pods and Services', () => createSeedObjects(k8s, topo, config));
    const watch = await this.watch();
    await mkdir(join(this.dir, 'kube-proxy'), { recursive: true });
    for (const n of topo.nodes) {
      const configFile = join(this.dir, 'kube-proxy', `${n.name}.yaml`);
      await writeFile(configFile, nodeConfigYaml(config, n.name, await cp.writeKubeProxyKubeconfig(this.uplinks.get(n.name)!.hostIP)));
      this.proxies.set(n.name, this.startKubeProxy(n.name, configFile));
    }
    await this.step(`first complete sync (kube-proxy in ${mode} mode)`, () => this.waitSynced(watch));
  }

  private async wire(): Promise<void> {
    const root = this.netns('root');
    const www = join(this.dir, 'www');
    await writeWebRoots(this.topo, www);
    await execa('ip', ['netns', 'add', root]);
    this.wired = true;
    // Forwarding between nodes is the root netns's job, as the guest's root netns does on the UML lab.
    await execa('ip', ['netns', 'exec', root, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    // nsenter, not `ip netns exec`: that one's private mount namespace would hide the netns the script adds.
    const r = await execa('nsenter', [`--net=/run/netns/${root}`, 'bash', '-s'], { input: wiringScript(this.topo, www, (n) => this.netns(n)), reject: false });
    if (r.exitCode !== 0) throw new Error(`lab: wiring the ${this.o.mode} host cluster failed (exit ${r.exitCode}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }

  private startKubeProxy(node: string, config: string): ResultPromise {
    const out = createWriteStream(this.logFile(node), { flags: 'a' });
    const proc = execa('ip', ['netns', 'exec', this.netns(node), kubeProxyBinary(), `--config=${config}`, '--v=2'], { stdin: 'ignore', reject: false, buffer: false });
    proc.stdout?.pipe(out);
    proc.stderr?.pipe(out);
    return proc;
  }

  /** Call just before a change (or the kube-proxy start): the time now and the running kube-proxies' metrics. */
  private async watch(): Promise<SyncWatch> {
    return new SyncWatch(Date.now() / 1000, await this.syncStates());
  }

  private async syncStates(): Promise<Map<string, SyncState>> {
    const metrics = (n: string) => this.exec(n).run(['curl', '-s', '--max-time', '2', `http://127.0.0.1:${METRICS_PORT}/metrics`]);
    return new Map(await Promise.all([...this.proxies.keys()].map(async (n) => [n, parseSyncMetrics((await metrics(n)).stdout)] as const)));
  }

  private async waitSynced(watch: SyncWatch): Promise<void> {
    if ((await pollUntilSynced(() => this.syncStates(), watch, SYNC_TIMEOUT_MS, 300)) !== undefined) return;
    throw new Error(`lab: kube-proxy in ${this.o.mode} mode did not complete a sync within ${SYNC_TIMEOUT_MS} ms (see its logs under ${join(this.dir, 'kube-proxy')})`);
  }
}
