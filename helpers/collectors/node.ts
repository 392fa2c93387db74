import { ExecError, isCommandMissing, runEach, type Exec, type ExecResult } from '../exec/exec.js';
import type { NodeFiles } from '../snapshot/write.js';

/** How to reach one node: a shell in its network namespace, and where `ipset` can run against that netns. */
export interface NodeAccess {
  name: string;
  shell: Exec;
  /** On kind, the node image has no ipset, so this is the node's kube-proxy pod (hostNetwork: same netns). */
  ipset: Exec;
}

export const NODE_COMMANDS = {
  ipAddr: ['ip', '-j', 'addr', 'show'],
  procIpvs: ['cat', '/proc/net/ip_vs'],
  ipvsadm: ['ipvsadm', '-Ln'],
  ipset: ['ipset', 'list'],
  iptablesSave: ['iptables-save'],
  sysctl: ['sysctl', 'net.ipv4.conf.all.arp_ignore', 'net.ipv4.conf.all.arp_announce'],
} as const;

/** Collects one node's raw outputs, byte for byte, as the snapshot stores them. */
export async function collectNodeFiles(node: NodeAccess): Promise<NodeFiles> {
  const shellKeys = ['ipAddr', 'procIpvs', 'iptablesSave', 'sysctl', 'ipvsadm'] as const;
  const results = await runEach(node.shell, shellKeys.map((k) => [...NODE_COMMANDS[k]]));
  const [ipset] = await runEach(node.ipset, [[...NODE_COMMANDS.ipset]]);
  const files: NodeFiles = { ipset: okOutput(node.ipset, NODE_COMMANDS.ipset, ipset!) };
  shellKeys.forEach((key, i) => {
    const r = results[i]!;
    // ipvsadm is optional: the kind node image lacks it, and /proc/net/ip_vs carries the same table.
    if (key === 'ipvsadm' && isCommandMissing(r)) return;
    files[key] = okOutput(node.shell, NODE_COMMANDS[key], r);
  });
  return files;
}

function okOutput(exec: Exec, argv: readonly string[], r: ExecResult): string {
  if (r.exitCode !== 0) throw new ExecError(exec.label, [...argv], r);
  return r.stdout;
}
