// Known ways a kind run goes wrong, turned into one actionable line each. Pure, so each is unit-tested.
import { loadYaml } from '@kubernetes/client-node';

export const IPVS_MODULES = 'ip_vs ip_vs_rr ip_vs_wrr ip_vs_sh nf_conntrack';
const MODPROBE = `sudo modprobe -a ${IPVS_MODULES}`;
const INOTIFY_FIX = 'sudo sysctl -w fs.inotify.max_user_instances=512 fs.inotify.max_user_watches=524288';

/** Maps kube-proxy's log to the cause a user can fix; undefined when no known cause shows. */
export function explainKubeProxyLog(log: string): string | undefined {
  // Rootless Docker (or a node without CAP_NET_ADMIN) has the modules but may not program IPVS through netlink.
  if (/can't use the IPVS proxier.*(operation not permitted|permission denied)/i.test(log)) {
    return 'kube-proxy may not program IPVS on this host ("operation not permitted"): the kind nodes lack the privileges (rootless Docker, or a runtime that drops CAP_NET_ADMIN); run kind with rootful Docker';
  }
  if (/can't use the IPVS proxier|IPVS proxier will not be used|couldn't use ipvs|ipvs.*(module|modprobe).*(not found|failed)/i.test(log)) {
    return `kube-proxy cannot use IPVS on this host: the kernel modules are missing; load them on the Docker host with \`${MODPROBE}\` and recreate the cluster`;
  }
  if (/too many open files/i.test(log)) {
    return `kube-proxy fails with "too many open files": raise the inotify limits on the Docker host with \`${INOTIFY_FIX}\` (kind known issue "Pod errors due to too many open files") and recreate the cluster`;
  }
  return undefined;
}

/** kind's known issue: six nodes exhaust Ubuntu's default of 128 inotify instances. */
export function inotifyWarning(maxUserInstances: number | undefined, maxUserWatches: number | undefined): string | undefined {
  const low = (maxUserInstances !== undefined && maxUserInstances < 512) || (maxUserWatches !== undefined && maxUserWatches < 524288);
  if (!low) return undefined;
  return `inotify limits are low (max_user_instances=${maxUserInstances ?? '?'}, max_user_watches=${maxUserWatches ?? '?'}) for the suite's six kind nodes; pods may fail with "too many open files": \`${INOTIFY_FIX}\``;
}

/** The host ports a kind config maps (extraPortMappings), which must be free before `kind create`. */
export function hostPortsOf(kindConfig: string): number[] {
  const doc = loadYaml<{ nodes?: { extraPortMappings?: { hostPort?: number }[] }[] }>(kindConfig);
  return (doc.nodes ?? []).flatMap((n) => (n.extraPortMappings ?? []).map((m) => m.hostPort).filter((p): p is number => typeof p === 'number'));
}

/** From `docker ps --format '{{.Names}}\t{{.Ports}}'`: which container publishes each of the wanted host ports. */
export function containersHoldingPorts(dockerPs: string, ports: number[]): Map<number, string> {
  const held = new Map<number, string>();
  for (const line of dockerPs.split('\n')) {
    const [name, published = ''] = line.split('\t');
    if (!name) continue;
    for (const m of published.matchAll(/:(\d+)(?:-(\d+))?->/g)) {
      const [from, to] = [Number(m[1]), Number(m[2] ?? m[1])];
      for (const p of ports) if (p >= from && p <= to) held.set(p, name);
    }
  }
  return held;
}

/** A node that cannot do IPVS: the script run in it exits non-zero when the module is neither loaded nor loadable. */
export const NODE_IPVS_CHECK = [
  'sh', '-c',
  'test -e /proc/net/ip_vs || grep -qw ^ip_vs /proc/modules || grep -q "/ip_vs.ko" "/lib/modules/$(uname -r)/modules.builtin" 2>/dev/null || ls /lib/modules/$(uname -r)/kernel/net/netfilter/ipvs/ip_vs.ko* >/dev/null 2>&1',
];

export function noIpvsLine(node: string): string {
  return `node ${node}: the host kernel has no IPVS (no /proc/net/ip_vs, and the ip_vs module is neither loaded nor installed); load the modules on the Docker host with \`${MODPROBE}\` and recreate the cluster`;
}

/** Waiting reasons that never end by themselves: the image cannot be had. */
const PULL_FAILURES = ['ErrImagePull', 'ImagePullBackOff', 'ErrImageNeverPull', 'InvalidImageName'];

export interface PodImageStatus {
  pod: string;
  image: string;
  reason?: string;
  message?: string;
}

/** One line for the first pod whose image cannot be pulled, naming the image and the setting that picks it. */
export function imagePullLine(statuses: PodImageStatus[], settingFor: (pod: string) => string | undefined): string | undefined {
  const bad = statuses.find((s) => s.reason !== undefined && PULL_FAILURES.includes(s.reason));
  if (!bad) return undefined;
  const setting = settingFor(bad.pod);
  const why = bad.message ? `: ${bad.message.split('\n')[0]!.slice(0, 200)}` : '';
  return `pod ${bad.pod} cannot get image ${bad.image} (${bad.reason}${why}); ${setting ? `set ${setting} to an image this cluster can pull or has loaded` : 'check the registry or load the image into the nodes'}`;
}
