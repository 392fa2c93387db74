import { ExecError, runEach, type Exec, type ExecResult } from '../exec/exec.js';
import type { NodeFiles } from '../snapshot/write.js';

/** How to reach one node: a shell in its network namespace, and where `ipset` can run against that netns. */
export interface NodeAccess {
  name: string;
  shell: Exec;
  /** On kind, the node image has no ipset, so this is the node's kube-proxy pod (hostNetwork: same netns). */
  ipset: Exec;
  /** Where `ipvsadm` runs against the node's netns, when not in `shell` (a kind node image has none). */
  ipvsadm?: Exec;
}

export const NODE_COMMANDS = {
  ipAddr: ['ip', '-j', 'addr', 'show'],
  procIpvs: ['cat', '/proc/net/ip_vs'],
  ipvsadm: ['ipvsadm', '-Ln'],
  ipset: ['ipset', 'list'],
  iptablesSave: ['iptables-save'],
  sysctl: ['sysctl', 'net.ipv4.conf.all.arp_ignore', 'net.ipv4.conf.all.arp_announce'],
  proxyMode: ['curl', '-s', '--max-time', '3', 'http://127.0.0.1:10249/proxyMode'],
  nftRuleset: ['nft', 'list', 'ruleset'],
} as const;

/**
 * Outputs a node may lack, recorded only when the command succeeds: ipvsadm (not in the kind node image),
 * /proc/net/ip_vs (absent where the kernel has no IPVS, as on a node that never ran IPVS mode), and the mode
 * kube-proxy reports on its metrics port (nothing answers when kube-proxy is down), and the nftables ruleset
 * (no `nft`, or a kernel without nf_tables, as in the lab's UML guest).
 */
const OPTIONAL = new Set<string>(['ipvsadm', 'procIpvs', 'proxyMode', 'nftRuleset']);

/** Collects one node's raw outputs, byte for byte, as the snapshot stores them. */
export async function collectNodeFiles(node: NodeAccess): Promise<NodeFiles> {
  // ipvsadm reads the table by netlink, whole; /proc/net/ip_vs can be cut where netns share a kernel (helpers/snapshot/ipvs-source.ts).
  const shellKeys = ['ipAddr', 'procIpvs', 'iptablesSave', 'sysctl', ...(node.ipvsadm ? [] : ['ipvsadm' as const]), 'proxyMode', 'nftRuleset'] as const;
  const [results, [ipset], ipvsadm] = await Promise.all([
    runEach(node.shell, shellKeys.map((k) => [...NODE_COMMANDS[k]])),
    runEach(node.ipset, [[...NODE_COMMANDS.ipset]]),
    node.ipvsadm ? runEach(node.ipvsadm, [[...NODE_COMMANDS.ipvsadm]]) : Promise.resolve([]),
  ]);
  const files: NodeFiles = { ipset: okOutput(node.ipset, NODE_COMMANDS.ipset, ipset!) };
  const keep = (key: keyof typeof NODE_COMMANDS, exec: Exec, r: ExecResult) => {
    if (!(OPTIONAL.has(key) && r.exitCode !== 0)) files[key] = okOutput(exec, NODE_COMMANDS[key], r);
  };
  shellKeys.forEach((key, i) => keep(key, node.shell, results[i]!));
  if (node.ipvsadm && ipvsadm[0]) keep('ipvsadm', node.ipvsadm, ipvsadm[0]);
  return files;
}

function okOutput(exec: Exec, argv: readonly string[], r: ExecResult): string {
  if (r.exitCode !== 0) throw new ExecError(exec.label, [...argv], r);
  return r.stdout;
}
