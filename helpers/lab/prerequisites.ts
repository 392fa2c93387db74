import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const UML_MODULES = '/usr/lib/uml/modules';
/** Host tools the lab runs, in the guest (it sees the host's filesystem) or in host netns, with their Debian package. */
const TOOLS: [tool: string, pkg: string][] = [
  ['linux.uml', 'user-mode-linux'],
  ['modprobe', 'kmod'],
  ['ipvsadm', 'ipvsadm'],
  ['ipset', 'ipset'],
  ['iptables-legacy-restore', 'iptables'],
  ['ip', 'iproute2'],
  ['arping', 'iputils-arping'],
  ['busybox', 'busybox-static'],
  ['bash', 'bash'],
  ['curl', 'curl'],
  ['openssl', 'openssl'],
  ['nft', 'nftables'],
  ['nsenter', 'util-linux'],
  ['perl', 'perl-base'],
  ['timeout', 'coreutils'],
];

/** What the lab lacks on this machine, as package names to install; empty when it can run. */
export function missingLabPrerequisites(): string[] {
  const missing: string[] = [];
  if (process.platform !== 'linux') return [`Linux (this is ${process.platform})`];
  if (process.getuid?.() !== 0) missing.push('root (the lab creates network namespaces, tap devices and loads modules)');
  if (!existsSync('/dev/net/tun')) missing.push('/dev/net/tun (the guest reaches the kube-apiserver through a tap device)');
  for (const [tool, pkg] of TOOLS) if (!onPath(tool)) missing.push(`${tool} (apt-get install ${pkg})`);
  if (!existsSync(UML_MODULES) || readdirSync(UML_MODULES).length === 0) missing.push(`${UML_MODULES}/<version> (apt-get install user-mode-linux)`);
  return missing;
}

function onPath(tool: string): boolean {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  return dirs.some((d) => d && existsSync(join(d, tool)));
}
