// What one node keeps after its kube-proxy is switched in place from IPVS to nftables mode. kube-proxy in nftables
// mode runs the IPVS proxier's cleanup when it starts (cmd/kube-proxy/app/server_linux.go platformCleanup →
// pkg/proxy/ipvs/proxier.go CleanupLeftovers): it flushes the whole IPVS table, deletes kube-ipvs0, the IPVS
// proxier's iptables chains and its ipsets, and it never resets the ARP sysctls strictARP set. Each row compares a
// node's state after the switch with that documented outcome; `flag` marks what a user must act on even when the
// switch went as documented (a foreign virtual server wiped, ARP sysctls left set).
import { expectedVirtualServers } from '../claims/expected.js';
import { DUMMY_DEVICE, nodeView } from '../claims/node-view.js';
import { vsKey, type VirtualServer } from '../parsers/ipvs-table.js';
import type { NodeObservation, Snapshot } from '../snapshot/read.js';

export type LeftoverKey = 'kube-ipvs0' | 'ipvs-table' | 'foreign-virtual-servers' | 'ipsets' | 'iptables-chains' | 'nft-tables' | 'arp-sysctls';

export interface LeftoverRow {
  node: string;
  key: LeftoverKey;
  title: string;
  /** The outcome kube-proxy's source or documentation gives, in its words. */
  documented: string;
  sources: readonly string[];
  /** What the node showed after its switch. */
  seen: string;
  /** The node showed the documented outcome. */
  ok: boolean;
  /** What the user must act on, even when `ok`. */
  flag?: string;
  /** One line naming the node and what is left or gone. */
  message: string;
}

const SOURCES = {
  cleanup: 'https://github.com/kubernetes/kubernetes/blob/v1.34.4/pkg/proxy/ipvs/proxier.go#L698-L753',
  platform: 'https://github.com/kubernetes/kubernetes/blob/v1.34.4/cmd/kube-proxy/app/server_linux.go#L424-L442',
  chains: 'https://github.com/kubernetes/kubernetes/blob/v1.34.4/pkg/proxy/ipvs/proxier.go#L458-L473',
  nftables: 'https://kubernetes.io/docs/reference/networking/virtual-ips/#migrating-from-iptables-mode-to-nftables',
  arp: 'https://github.com/kubernetes/kubernetes/issues/75295',
  ipsetNames: 'https://github.com/kubernetes/kubernetes/blob/v1.34.4/pkg/proxy/ipvs/ipset.go#L104-L118',
} as const;

/** The IPVS proxier's own iptables chains by table (iptablesCleanupChains); other KUBE-* chains are kubelet's. */
const IPVS_CHAINS: Record<string, readonly string[]> = {
  nat: ['KUBE-SERVICES', 'KUBE-POSTROUTING', 'KUBE-NODE-PORT', 'KUBE-LOAD-BALANCER', 'KUBE-MARK-MASQ'],
  filter: ['KUBE-FORWARD', 'KUBE-NODE-PORT', 'KUBE-PROXY-FIREWALL', 'KUBE-SOURCE-RANGES-FIREWALL', 'KUBE-IPVS-FILTER', 'KUBE-IPVS-OUT-FILTER'],
};
const ARP_SYSCTLS = ['net.ipv4.conf.all.arp_ignore', 'net.ipv4.conf.all.arp_announce'] as const;

/** Every node that ran IPVS in `before` and nftables in `after`, row by row; other nodes have no rows. */
export function switchLeftovers(before: Snapshot, after: Snapshot): LeftoverRow[] {
  return after.nodes.flatMap((node) => {
    const was = before.nodes.find((n) => n.name === node.name);
    if (was?.proxyMode !== 'ipvs' || node.proxyMode !== 'nftables') return [];
    return [dummyRow(node), tableRow(node), foreignRow(before, was, node), ipsetRow(node), chainRow(node), nftRow(node), arpRow(was, node)];
  });
}

function leftover(node: string, key: LeftoverKey, title: string, documented: string, sources: readonly string[], seen: string, ok: boolean, flag?: string): LeftoverRow {
  return { node, key, title, documented, sources, seen, ok, ...(flag && { flag }), message: `${node}: ${title}: ${seen}` };
}

function dummyRow(node: NodeObservation): LeftoverRow {
  const dev = node.interfaces.get(DUMMY_DEVICE);
  const seen = dev ? `still there, holding ${[...dev.ipv4, ...dev.ipv6].join(', ') || 'no address'}` : 'gone';
  return leftover(node.name, 'kube-ipvs0', `${DUMMY_DEVICE} after the switch`, 'deleted by the IPVS cleanup nftables mode runs at start', [SOURCES.cleanup, SOURCES.platform], seen, !dev);
}

const vsName = (vs: VirtualServer) => `${vs.protocol} ${vs.address.includes(':') ? `[${vs.address}]` : vs.address}:${vs.port}`;

function tableRow(node: NodeObservation): LeftoverRow {
  const left = node.ipvs.map(vsName);
  const seen = left.length === 0 ? 'empty' : `${left.length} virtual servers left: ${left.slice(0, 5).join(', ')}${left.length > 5 ? ', …' : ''}`;
  return leftover(node.name, 'ipvs-table', 'the IPVS table after the switch', 'flushed: every virtual server is deleted (ipvs.Flush())', [SOURCES.cleanup], seen, left.length === 0);
}

/** Virtual servers no Service accounts for before the switch (keepalived's, kube-vip's): the flush takes them too. */
function foreignRow(before: Snapshot, was: NodeObservation, node: NodeObservation): LeftoverRow {
  const kubeProxys = new Set(expectedVirtualServers(before.cluster, nodeView(before, was)).map((e) => vsKey(e.protocol, e.address, e.port)));
  const foreign = was.ipvs.filter((vs) => !kubeProxys.has(vsKey(vs.protocol, vs.address, vs.port)));
  const after = new Set(node.ipvs.map((vs) => vsKey(vs.protocol, vs.address, vs.port)));
  const wiped = foreign.filter((vs) => !after.has(vsKey(vs.protocol, vs.address, vs.port)));
  const kept = foreign.filter((vs) => after.has(vsKey(vs.protocol, vs.address, vs.port)));
  const seen = foreign.length === 0 ? 'none before the switch' : [wiped.length > 0 && `wiped ${wiped.map(vsName).join(', ')}`, kept.length > 0 && `kept ${kept.map(vsName).join(', ')}`].filter(Boolean).join('; ');
  const flag = wiped.length > 0 ? `${node.name}: the switch deleted ${wiped.map(vsName).join(', ')}, which no Service had (keepalived, kube-vip?): restore them after the switch` : undefined;
  const documented = 'wiped with the rest: the flush does not consult --ipvs-exclude-cidrs, which only the IPVS proxier honours';
  return leftover(node.name, 'foreign-virtual-servers', 'virtual servers that were not kube-proxy\'s', documented, [SOURCES.cleanup], seen, kept.length === 0, flag);
}

/**
 * The cleanup destroys the sets named in ipsetInfo: the IPv4 proxier's names. The IPv6 proxier's sets are the same
 * names with KUBE-6- (NewIPSet), which the cleanup never names: on a dual-stack node they stay.
 */
function ipsetRow(node: NodeObservation): LeftoverRow {
  const left = [...node.ipsets.keys()].filter((n) => n.startsWith('KUBE-'));
  const [v6, v4] = [left.filter((n) => n.startsWith('KUBE-6-')), left.filter((n) => !n.startsWith('KUBE-6-'))];
  const seen = left.length === 0 ? 'none left' : [v4.length > 0 && `${v4.length} IPv4 sets left: ${v4.join(', ')}`, v6.length > 0 && `${v6.length} IPv6 KUBE-6-* sets left`].filter(Boolean).join('; ');
  const flag = v6.length > 0 ? `${node.name}: ${v6.length} KUBE-6-* ipsets stay after the switch (the cleanup destroys only the IPv4 names): ipset destroy them by hand` : undefined;
  const documented = "the IPv4 proxier's KUBE-* sets destroyed (needs the ipset binary); the IPv6 proxier's KUBE-6-* sets are not among the names the cleanup destroys, so they stay";
  return leftover(node.name, 'ipsets', 'KUBE-* ipsets after the switch', documented, [SOURCES.cleanup, SOURCES.ipsetNames], seen, v4.length === 0, flag);
}

function chainRow(node: NodeObservation): LeftoverRow {
  const left = Object.entries(IPVS_CHAINS).flatMap(([table, chains]) => chains.filter((c) => node.iptables.chains.get(table)?.has(c)).map((c) => `${table}/${c}`));
  const seen = left.length === 0 ? 'none left' : `${left.length} left: ${left.join(', ')}`;
  return leftover(node.name, 'iptables-chains', "the IPVS proxier's iptables chains after the switch", 'flushed and deleted', [SOURCES.chains], seen, left.length === 0);
}

function nftRow(node: NodeObservation): LeftoverRow {
  // Stryker disable next-line ArrayDeclaration: equivalent, a made-up table name does not end in " kube-proxy"
  const ours = (node.nftTables ?? []).filter((t) => t.endsWith(' kube-proxy'));
  const seen = node.nftTables === undefined ? 'no nftables ruleset in the snapshot' : ours.length === 0 ? 'no kube-proxy table' : ours.map((t) => `table ${t}`).join(', ');
  return leftover(node.name, 'nft-tables', "kube-proxy's nftables tables after the switch", 'table ip kube-proxy (and ip6 on a dual-stack node) holds the Services', [SOURCES.nftables], seen, ours.includes('ip kube-proxy'));
}

function arpRow(was: NodeObservation, node: NodeObservation): LeftoverRow {
  const values = (n: NodeObservation) => ARP_SYSCTLS.map((k) => `${k.split('.').pop()}=${n.sysctl.get(k) ?? '?'}`).join(', ');
  const unchanged = ARP_SYSCTLS.every((k) => was.sysctl.get(k) === node.sysctl.get(k));
  const set = node.sysctl.get(ARP_SYSCTLS[0]) !== '0' || node.sysctl.get(ARP_SYSCTLS[1]) !== '0';
  const seen = `${values(node)} (before the switch: ${values(was)})`;
  const flag = set ? `${node.name}: ${values(node)} stay set after the switch (strictARP's); reset them if nothing else on the node needs them` : undefined;
  return leftover(node.name, 'arp-sysctls', 'the ARP sysctls strictARP set', 'never reverted: kube-proxy leaves them as strictARP set them', [SOURCES.arp], seen, unchanged, flag);
}
