// One lab cluster: a real control plane on the host, a User-Mode Linux guest whose network namespaces are the
// seed's nodes, pods and mypc, and Kubernetes' own kube-proxy in every node netns. Snapshots are collected the
// through the one collection path (helpers/cluster/collect.ts) every cluster shares.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProbeSites } from '../collectors/migration-probes.js';
import type { NodeAccess } from '../collectors/node.js';
import { parseStreamLog, streamClientScript } from '../collectors/streams.js';
import { runBalanceProbe, serviceArpTargets, type ArpTarget, type BalanceProbe } from '../collectors/probes.js';
import type { Exec } from '../exec/exec.js';
import { oneShellPerNode, type Cluster } from '../cluster/cluster.js';
import { collect } from '../cluster/collect.js';
import { k8sClients, type K8s } from '../cluster/k8s.js';
import type { ClusterJson, KubeProxyConfig, StreamResult, StreamSpec, TrafficJson } from '../snapshot/model.js';
import { ControlPlane, LAB_CONTEXT } from './control-plane.js';
import { createTap, type HostLink } from './host-net.js';
import { controlPlaneBinaries, labKernel } from './kube-binaries.js';
import { GuestKubeProxies, seedKubeProxyConfig, type ProxyStart, type SeedProxyOptions } from './kube-proxy.js';
import { createWorkload, registerNodes, writeKubeProxyConfigMap } from './kubelet.js';
import { SEED_SERVICE, SERVICE_CIDRS, seedTopology, UNALLOCATED_CLUSTER_IP, type LabNode, type LabTopology, type TopologyOptions } from './topology.js';
import { UmlGuest } from './uml-guest.js';
import { startOrStop, Steps } from './steps.js';
import { wiringScript, writeWebRoots } from './wiring.js';

const WATCH_DELIVERY_MARGIN_MS = 3_000;

/** Requests in the balance probe: strict rr gives exactly a third each (50/50/50). */
export const LAB_REQUESTS = 150;

export interface LabClusterOptions {
  proxy?: SeedProxyOptions;
  /** kube-proxy version for every node (default: the lab's Kubernetes version). */
  proxyVersion?: string;
  /** Nodes whose kube-proxy starts in another mode first (a later restart switches it). */
  firstMode?: Record<string, ProxyStart['mode']>;
  /** The seed's topology, or with `migration` its NodePort service and secondary node addresses too. */
  topology?: TopologyOptions;
  serviceCIDR?: string;
  /** Boot the lab's own kernel (IPVS and nf_tables in one), which an in-place switch to nftables mode needs. */
  nftKernel?: boolean;
  log?: (line: string) => void;
}

export interface SnapshotOptions {
  balance?: boolean;
  arp?: boolean;
  /** Run the migration probes (probes.json) from these sites. */
  probes?: ProbeSites;
}

/** The kB of a `VmRSS:  61234 kB` line of /proc/<pid>/status. */
export function rssKb(status: string, what: string): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!m) throw new Error(`lab: no VmRSS for ${what} (is it running?)`);
  return Number(m[1]);
}

/** The seed's balance probe in the lab: net-pod → svc-clusterip, one new connection per request, no spawns. */
export function seedBalanceProbe(topo: LabTopology): BalanceProbe {
  const client = topo.pods.find((p) => p.name === 'net-pod')!;
  return { service: `${SEED_SERVICE.namespace}/${SEED_SERVICE.name}`, clusterIP: SEED_SERVICE.clusterIP, port: SEED_SERVICE.port, clientPod: client.name, clientNode: client.node, requests: LAB_REQUESTS, client: 'bash-tcp' };
}

/** Where the migration probes run from and what they try, on the seed's topology. */
export function migrationSites(topo: LabTopology): ProbeSites {
  const client = topo.pods.find((p) => p.name === 'net-pod')!;
  const worker = topo.nodes[1] ?? topo.nodes[0]!;
  return {
    clientPod: client.name, clientNode: client.node, outside: topo.mypc.name,
    nodePortNode: { name: worker.name, internalIP: worker.ip, ...(worker.secondaryIP && { otherIP: worker.secondaryIP }) },
    service: SEED_SERVICE, unexposedPort: 9999, unallocatedIP: UNALLOCATED_CLUSTER_IP,
  };
}

export function startControlPlane(dir: string, topo: LabTopology, serverAddresses: string[], serviceCIDR?: string): Promise<ControlPlane> {
  return ControlPlane.start({ dir: join(dir, 'control-plane'), bins: controlPlaneBinaries(), advertiseAddress: topo.nodes[0]!.ip, serverAddresses, ...(serviceCIDR && { serviceCIDR }) });
}

/** What kind and kubeadm would have created, with the harness standing in for each node's kubelet. */
export async function createSeedObjects(k8s: K8s, topo: LabTopology, config: KubeProxyConfig): Promise<void> {
  await registerNodes(k8s.core, topo);
  await writeKubeProxyConfigMap(k8s.core, config);
  await createWorkload(k8s, topo);
}

export class LabCluster implements Cluster {
  readonly label = 'the lab node-exec backend (UML guest)';
  readonly topo: LabTopology;
  private cp?: ControlPlane;
  private tap?: HostLink;
  private guest?: UmlGuest;
  private proxies?: GuestKubeProxies;
  private k8sClient?: K8s;
  private streams: StreamSpec[] = [];

  private constructor(
    readonly dir: string,
    private readonly o: LabClusterOptions,
  ) {
    // The UML guest's kernel has IPVS for IPv6 (CONFIG_IP_VS_IPV6): its clusters are dual-stack, but for migration.
    this.topo = seedTopology({ dualStack: !o.topology?.migration, ...o.topology });
    this.steps = new Steps(o.log);
  }

  private readonly steps: Steps;

  /** Milliseconds per step, in order, for the report. */
  get timings(): [step: string, ms: number][] {
    return this.steps.timings;
  }

  /** Brings the whole cluster up and waits until every kube-proxy completed a sync of the seed's workload. */
  static async up(dir: string, o: LabClusterOptions = {}): Promise<LabCluster> {
    return startOrStop(new LabCluster(resolve(dir), o), (lab) => lab.start());
  }

  /** The admin kubeconfig of this cluster's real API server (context `lab`). */
  get adminKubeconfig(): string {
    if (!this.cp) throw new Error('lab cluster is not up');
    return this.cp.adminKubeconfig;
  }

  get k8s(): K8s {
    if (!this.k8sClient) throw new Error('lab cluster is not up');
    return this.k8sClient;
  }

  /** The node-exec backend for a node, pod or mypc netns in the guest. */
  exec(name: string): Exec {
    return this.guest!.exec(name);
  }

  /** Each node's netns in the guest, whose ipset is the node's own (the guest has every tool). */
  nodes(): Promise<NodeAccess[]> {
    return Promise.resolve(oneShellPerNode(this.topo.nodes.map((n) => n.name), (n) => this.exec(n)));
  }

  /** kube-proxy's resident memory on a node, in kB, read in the guest. */
  async proxyRssKb(node: string): Promise<number> {
    const r = await this.guest!.script(null, `grep VmRSS /proc/$(cat /run/lab/kube-proxy-${node}.pid)/status\n`);
    return rssKb(r.stdout, `kube-proxy on ${node}`);
  }

  node(name: string): LabNode {
    const n = this.topo.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no lab node ${name}`);
    return n;
  }

  step<T>(name: string, body: () => Promise<T>): Promise<T> {
    return this.steps.run(name, body);
  }

  /**
   * Applies an API change (the body returns once the API shows all of it) and waits until every running
   * kube-proxy has synced it. kube-proxy's metrics cannot tell whether its watch has delivered the last event
   * yet, so the wait starts after a margin for that delivery.
   */
  async change(name: string, body: () => Promise<void>): Promise<void> {
    const watch = await this.proxies!.watch(this.topo.nodes);
    await this.step(name, body);
    await sleep(WATCH_DELIVERY_MARGIN_MS);
    await this.step(`kube-proxy synced: ${name}`, () => this.proxies!.waitSynced(this.topo.nodes, watch));
  }

  async guestScript(netns: string | null, what: string, body: string): Promise<void> {
    const r = await this.guest!.script(netns, 'set -e\n' + body);
    if (r.exitCode !== 0) throw new Error(`lab: ${what} failed (exit ${r.exitCode}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }

  /** Edits kube-system/kube-proxy's mode, as a user starting a migration does; each node switches on its restart. */
  setConfiguredMode(mode: ProxyStart['mode'] & string): Promise<void> {
    return this.step(`ConfigMap kube-system/kube-proxy: mode ${mode}`, () => writeKubeProxyConfigMap(this.k8s.core, { ...seedKubeProxyConfig(this.o.proxy), mode }, true));
  }

  /** Starts each long-lived stream in the background (helpers/collectors/streams.ts); stopStreams reads them. */
  async startStreams(specs: StreamSpec[]): Promise<void> {
    const dir = join(this.dir, 'streams');
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    this.streams = specs;
    const starts = specs.map((s, i) => `ip netns exec ${s.from} bash ${join(dir, `${i}.sh`)} > ${join(dir, `${i}.log`)} 2>&1 < /dev/null &`);
    for (const [i, s] of specs.entries()) await writeFile(join(dir, `${i}.sh`), streamClientScript(s, join(dir, 'stop')));
    await this.step(`start ${specs.length} long-lived streams`, () => this.guestScript(null, 'start the streams', starts.join('\n') + '\n'));
  }

  /** Asks every stream to end, waits up to 10 s for its last line, and reads what each saw. */
  async stopStreams(): Promise<StreamResult[]> {
    await writeFile(join(this.dir, 'streams', 'stop'), '');
    return this.streamsWhen('ended', (r) => r.ended !== undefined);
  }

  /** What each stream saw so far, once every one has opened to a backend (or after 10 s). */
  streamsOpened(): Promise<StreamResult[]> {
    return this.streamsWhen('opened', (r) => r.backend !== undefined || r.events.length > 0);
  }

  private async streamsWhen(what: string, done: (r: StreamResult) => boolean): Promise<StreamResult[]> {
    const dir = join(this.dir, 'streams');
    const read = async () => Promise.all(this.streams.map(async (s, i) => parseStreamLog(s, await readFile(join(dir, `${i}.log`), 'utf8').catch(() => ''), join(dir, `${i}.log`))));
    return this.step(`streams ${what}`, async () => {
      for (let tries = 0; tries < 20; tries++) {
        const results = await read();
        if (results.every(done)) return results;
        await sleep(500);
      }
      return read();
    });
  }

  /** The guest's clock (epoch seconds), which the streams' events use. */
  guestTime(): Promise<number> {
    return this.proxies!.guestNow();
  }

  killKubeProxy(node: string): Promise<void> {
    return this.step(`kill kube-proxy on ${node}`, () => this.proxies!.kill(this.node(node)));
  }

  async restartKubeProxy(node: string, o: ProxyStart): Promise<void> {
    const watch = await this.step(`restart kube-proxy on ${node} (${o.mode ?? 'same mode'}${o.withoutModuleTree ? ', without a module tree' : ''})`, async () => {
      await this.proxies!.kill(this.node(node));
      const w = await this.proxies!.watch([this.node(node)]);
      await this.proxies!.start(this.node(node), o);
      return w;
    });
    await this.step(`kube-proxy synced on ${node}`, () => this.proxies!.waitSynced([this.node(node)], watch));
  }

  /** New connections from net-pod (on the control plane) to the seed's service, as the seed's curl loop does. */
  balance(): Promise<TrafficJson> {
    const probe = seedBalanceProbe(this.topo);
    return this.step(`balance probe: ${LAB_REQUESTS} new connections from net-pod`, () => runBalanceProbe(this.guest!.exec(probe.clientPod), probe));
  }

  /** Collects a complete snapshot through the one collection path; returns what the ARP probe saw raw. */
  async snapshot(dir: string, o: SnapshotOptions = { balance: true, arp: true }): Promise<{ cluster: ClusterJson; arpRaw?: string }> {
    const snap = await collect(this, dir, {
      step: (name, body) => this.step(name, body),
      ...(o.balance && { balance: { probe: seedBalanceProbe(this.topo) } }),
      ...(o.arp && { arp: { fromName: this.topo.mypc.name, targets: (c: ClusterJson) => this.arpTargets(c) } }),
      ...(o.probes && { migration: { sites: o.probes } }),
    });
    return { cluster: snap.cluster, ...(snap.arpRaw !== undefined && { arpRaw: snap.arpRaw }) };
  }

  /** kube-proxy's log per node, and the control plane's own logs. */
  async logs(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    if (this.proxies) for (const n of this.topo.nodes) out[`kube-proxy-${n.name}.log`] = await this.proxies.log(n.name);
    if (this.cp) Object.assign(out, await this.cp.logs());
    return out;
  }

  proxyLog(node: string): Promise<string> {
    return this.proxies!.log(node);
  }

  /** Stops everything this cluster started, whatever state it is in; safe to call twice. */
  async down(): Promise<void> {
    const errors: unknown[] = [];
    const attempt = async (f?: () => Promise<void>) => f?.().catch((e: unknown) => errors.push(e));
    await attempt(this.guest && (() => this.guest!.halt()));
    await attempt(this.cp && (() => this.cp!.stop()));
    await attempt(this.tap && (() => this.tap!.remove()));
    this.guest = this.cp = this.tap = undefined;
    if (errors.length > 0) throw errors[0];
  }

  private async start(): Promise<void> {
    const { topo } = this;
    this.tap = await this.step('tap device for the guest uplink', () => createTap());
    const serviceCIDR = this.o.serviceCIDR ?? (topo.dualStack ? `${SERVICE_CIDRS.v4},${SERVICE_CIDRS.v6}` : undefined);
    const cp = (this.cp = await this.step('etcd, kube-apiserver, kube-controller-manager', () => startControlPlane(this.dir, topo, [this.tap!.hostIP], serviceCIDR)));
    const k8s = (this.k8sClient = k8sClients({ kubeconfig: cp.adminKubeconfig, context: LAB_CONTEXT }));
    const config = seedKubeProxyConfig(this.o.proxy);
    await this.step('Nodes, kube-proxy ConfigMap, Pods (status as a kubelet reports it) and Services', () => createSeedObjects(k8s, topo, config));
    const wwwDir = join(this.dir, 'www');
    await writeWebRoots(topo, wwwDir);
    this.guest = await this.step('boot the UML guest', () => UmlGuest.boot(join(this.dir, 'guest'), { uplink: this.tap, ...(this.o.nftKernel && { kernel: labKernel() }) }));
    await this.step('wire nodes, pods and mypc; start the web backends', () => this.guestScript(null, 'wiring', wiringScript(topo, wwwDir)));
    const kubeconfig = await cp.writeKubeProxyKubeconfig(this.tap.hostIP);
    const families = topo.dualStack ? ['{ip_family="IPv4"}', '{ip_family="IPv6"}'] : [];
    this.proxies = new GuestKubeProxies(this.guest, join(this.dir, 'kube-proxy'), kubeconfig, config, families);
    const watch = await this.proxies.watch(topo.nodes);
    await this.step('start kube-proxy on every node', async () => {
      for (const n of topo.nodes) await this.proxies!.start(n, { ...(this.o.proxyVersion && { version: this.o.proxyVersion }), ...(this.o.firstMode?.[n.name] && { mode: this.o.firstMode[n.name] }) });
    });
    await this.step('first complete sync on every node', () => this.proxies!.waitSynced(topo.nodes, watch));
  }

  /** Three ClusterIPs, every LB ingress IP, and a worker's node IP as the control that shows the probe works. */
  private arpTargets(cluster: ClusterJson): ArpTarget[] {
    return serviceArpTargets(cluster, this.topo.nodes[1]!.ip, 3);
  }
}
