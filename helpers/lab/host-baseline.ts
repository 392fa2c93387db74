// The iptables-mode baseline: Kubernetes' own kube-proxy in iptables mode on the host kernel (see host-cluster.ts),
// with its own control plane and the seed's workload on two nodes. Collected like any other snapshot.
import { join } from 'node:path';
import { HostCluster } from './host-cluster.js';
import { seedTopology } from './topology.js';

export const BASELINE_NODES = ['base-control-plane', 'base-worker'];
/** Where the lab's baseline run leaves its cluster (and snapshot/), for every scenario of that run to compare with. */
export const LAB_BASELINE_DIR = join(import.meta.dirname, '..', '..', 'results', 'lab-baseline');

/** Builds the baseline cluster, writes its snapshot to `<dir>/snapshot`, and removes everything it created. */
export async function runIptablesBaseline(dir: string, log: (line: string) => void = () => {}): Promise<{ snapshotDir: string; logs: Record<string, string> }> {
  const topo = seedTopology({ nodeNames: BASELINE_NODES, subnet: '172.19' });
  const cluster = await HostCluster.up(dir, { mode: 'iptables', topo, tag: 'base', log });
  try {
    const snapshotDir = join(cluster.dir, 'snapshot');
    await cluster.snapshot(snapshotDir);
    return { snapshotDir, logs: await cluster.logs() };
  } finally {
    await cluster.down();
  }
}
