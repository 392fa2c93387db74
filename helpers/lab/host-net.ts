// Host-side links the lab creates: a tap device per UML guest (its uplink to the kube-apiserver) and a veth per
// host-netns node. Each claims a free slot i (192.168.<third>.4i/30) by creating a device whose name carries i,
// which fails if a parallel run holds it. Everything is named `ipvslab*`, so cleanup can find what is left.
import { execa } from 'execa';
import { forgetLink, recordLink } from './cleanup.js';

export const LINK_PREFIX = 'ipvslab';
const SLOTS = 60;

export interface HostLink {
  name: string;
  hostIP: string;
  peerIP: string;
  remove(): Promise<void>;
}

async function claimSlot(create: (i: number) => Promise<boolean>): Promise<number> {
  for (let i = 0; i < SLOTS; i++) if (await create(i)) return i;
  throw new Error(`lab: all ${SLOTS} ${LINK_PREFIX}* link slots are taken (is an earlier run still up? ip link show | grep ${LINK_PREFIX})`);
}

const ok = (p: Promise<{ exitCode?: number }>) => p.then((r) => r.exitCode === 0);

async function addressed(name: string, third: number, i: number): Promise<HostLink> {
  await recordLink(name);
  const hostIP = `192.168.${third}.${4 * i + 1}`;
  await execa('ip', ['addr', 'add', `${hostIP}/30`, 'dev', name]);
  await execa('ip', ['link', 'set', name, 'up']);
  return { name, hostIP, peerIP: `192.168.${third}.${4 * i + 2}`, remove: () => removeLink(name) };
}

/** A tap device for UML's vector transport (`vec0:transport=tap,ifname=<name>`). */
export async function createTap(): Promise<HostLink> {
  const i = await claimSlot((i) => ok(execa('ip', ['tuntap', 'add', `${LINK_PREFIX}t${i}`, 'mode', 'tap'], { reject: false })));
  return addressed(`${LINK_PREFIX}t${i}`, 250, i);
}

/**
 * A veth whose peer is `peer` in an existing netns, with the peer addressed; with `defaultRoute`, the netns's
 * default route leads to the host. Without it the peer only reaches the host's end (the kube-apiserver).
 */
export async function createVethInto(netns: string, o: { peer?: string; defaultRoute?: boolean } = {}): Promise<HostLink> {
  const { peer = 'eth0', defaultRoute = true } = o;
  const i = await claimSlot((i) => ok(execa('ip', ['link', 'add', `${LINK_PREFIX}v${i}`, 'type', 'veth', 'peer', 'name', peer, 'netns', netns], { reject: false })));
  const link = await addressed(`${LINK_PREFIX}v${i}`, 251, i);
  const inNs = (...args: string[]) => execa('ip', ['-n', netns, ...args]);
  await inNs('addr', 'add', `${link.peerIP}/30`, 'dev', peer);
  await inNs('link', 'set', peer, 'up');
  await inNs('link', 'set', 'lo', 'up');
  if (defaultRoute) await inNs('route', 'add', 'default', 'via', link.hostIP);
  return link;
}

export async function removeLink(name: string): Promise<void> {
  await execa('ip', ['link', 'del', name], { reject: false });
  await forgetLink(name);
}
