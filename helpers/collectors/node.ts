import { isCommandMissing, runOk, type Exec } from '../exec/exec.js';
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
  const run = (argv: readonly string[], exec = node.shell) => runOk(exec, [...argv]);
  const files: NodeFiles = {
    ipAddr: await run(NODE_COMMANDS.ipAddr),
    procIpvs: await run(NODE_COMMANDS.procIpvs),
    ipset: await run(NODE_COMMANDS.ipset, node.ipset),
    iptablesSave: await run(NODE_COMMANDS.iptablesSave),
    sysctl: await run(NODE_COMMANDS.sysctl),
  };
  // ipvsadm is optional: the kind node image lacks it, and /proc/net/ip_vs carries the same table.
  const ipvsadm = await node.shell.run([...NODE_COMMANDS.ipvsadm]);
  if (ipvsadm.exitCode === 0) files.ipvsadm = ipvsadm.stdout;
  else if (!isCommandMissing(ipvsadm)) await run(NODE_COMMANDS.ipvsadm); // a real failure: let runOk report it
  return files;
}
