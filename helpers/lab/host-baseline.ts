// The iptables-mode baseline: Kubernetes' own kube-proxy in iptables mode, one per node, each in a network
// namespace on the host (the host kernel has iptables but no IPVS, which iptables mode does not need), driven by
// its own real control plane with the seed's workload on two nodes. Collected like any other snapshot.
import { execa, type ResultPromise } from 'execa';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { collectNodeFiles } from '../collectors/node.js';
import { ProcessExec } from '../exec/process-exec.js';
import { readLiveClusterJson } from '../kind/collect-live.js';
import { k8sClients } from '../kind/k8s.js';
import { writeSnapshot, type NodeFiles } from '../snapshot/write.js';
import { LAB_CONTEXT, type ControlPlane } from './control-plane.js';
import { createVethInto, LINK_PREFIX, type HostLink } from './host-net.js';
import { kubeProxyBinary } from './kube-binaries.js';
import { METRICS_PORT, nodeConfigYaml, parseSyncMetrics, pollUntilSynced, seedKubeProxyConfig } from './kube-proxy.js';
import { createSeedObjects, startControlPlane } from './lab-cluster.js';
import { seedTopology } from './topology.js';

export const BASELINE_NODES = ['base-control-plane', 'base-worker'];
/** Where the lab's baseline run leaves its cluster (and snapshot/), for every scenario of that run to compare with. */
export const LAB_BASELINE_DIR = join(import.meta.dirname, '..', '..', 'results', 'lab-baseline');
const SYNC_TIMEOUT_MS = 60_000;

interface HostNode {
  name: string;
  netns: string;
  exec: ProcessExec;
  link?: HostLink;
  proc?: ResultPromise;
}

/** Builds the baseline cluster, writes its snapshot to `<dir>/snapshot`, and removes everything it created. */
export async function runIptablesBaseline(dir: string, log: (line: string) => void = () => {}): Promise<{ snapshotDir: string; logs: Record<string, string> }> {
  const root = resolve(dir);
  const topo = seedTopology(BASELINE_NODES, '172.19');
  const nodes: HostNode[] = topo.nodes.map((n, i) => {
    const netns = `${LINK_PREFIX}-${process.pid}-${i}`;
    return { name: n.name, netns, exec: new ProcessExec(`ip netns exec ${netns}`, ['ip', 'netns', 'exec', netns]) };
  });
  let cp: ControlPlane | undefined;
  try {
    for (const [i, n] of nodes.entries()) {
      await execa('ip', ['netns', 'add', n.netns]);
      n.link = await createVethInto(n.netns);
      // The node's InternalIP, as the Node object says, is local in its netns as on a kind node.
      await execa('ip', ['-n', n.netns, 'addr', 'add', `${topo.nodes[i]!.ip}/16`, 'dev', 'eth0']);
    }
    log('baseline: control plane');
    cp = await startControlPlane(root, topo, nodes.map((n) => n.link!.hostIP));
    const k8s = k8sClients({ kubeconfig: cp.adminKubeconfig, context: LAB_CONTEXT });
    const config = seedKubeProxyConfig({ mode: 'iptables', strictARP: false });
    await createSeedObjects(k8s, topo, config);
    const since = Date.now() / 1000;
    const proxyDir = join(root, 'kube-proxy');
    await mkdir(proxyDir, { recursive: true });
    for (const n of nodes) {
      const configFile = join(proxyDir, `${n.name}.yaml`);
      await writeFile(configFile, nodeConfigYaml(config, n.name, await cp.writeKubeProxyKubeconfig(n.link!.hostIP)));
      n.proc = startHostKubeProxy(n, configFile, join(proxyDir, `${n.name}.log`));
    }
    log('baseline: waiting for a complete sync');
    await waitSynced(nodes, since);
    const files = new Map<string, NodeFiles>();
    for (const n of nodes) files.set(n.name, await collectNodeFiles({ name: n.name, shell: n.exec, ipset: n.exec }));
    const snapshotDir = join(root, 'snapshot');
    await writeSnapshot(snapshotDir, { cluster: await readLiveClusterJson(k8s), nodes: files });
    return { snapshotDir, logs: Object.fromEntries(nodes.map((n) => [`kube-proxy-${n.name}.log`, join(proxyDir, `${n.name}.log`)])) };
  } finally {
    for (const n of nodes) {
      n.proc?.kill('SIGKILL');
      await n.proc?.catch(() => undefined);
    }
    await cp?.stop();
    for (const n of nodes) {
      await n.link?.remove();
      await execa('ip', ['netns', 'del', n.netns], { reject: false });
    }
  }
}

function startHostKubeProxy(n: HostNode, config: string, logFile: string): ResultPromise {
  const out = createWriteStream(logFile);
  const proc = execa('ip', ['netns', 'exec', n.netns, kubeProxyBinary(), `--config=${config}`, '--v=2'], { stdin: 'ignore', reject: false, buffer: false });
  proc.stdout?.pipe(out);
  proc.stderr?.pipe(out);
  return proc;
}

async function waitSynced(nodes: HostNode[], since: number): Promise<void> {
  const read = async () => (await Promise.all(nodes.map((n) => n.exec.run(['curl', '-s', '--max-time', '2', `http://127.0.0.1:${METRICS_PORT}/metrics`])))).map((r) => parseSyncMetrics(r.stdout));
  if ((await pollUntilSynced(read, since, SYNC_TIMEOUT_MS, 500)) !== undefined) return;
  throw new Error(`baseline: kube-proxy in iptables mode did not complete a sync within ${SYNC_TIMEOUT_MS} ms (see its logs under kube-proxy/)`);
}
