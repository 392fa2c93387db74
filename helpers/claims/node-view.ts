// What kube-proxy on a node reads from the node itself, taken from the snapshot's ip-addr.json.
import type { NodeObservation, Snapshot } from '../snapshot/read.js';
import { inCidr, type NodeView } from './expected.js';

export const DUMMY_DEVICE = 'kube-ipvs0';

const withoutPrefix = (a: string) => a.slice(0, a.lastIndexOf('/'));

/** Loopback and IPv6 link-local addresses take no NodePort (netlink_linux.go isValidForSet). */
function isNodePortCandidate(ip: string): boolean {
  return !inCidr(ip, '127.0.0.0/8') && ip !== '::1' && !inCidr(ip, 'fe80::/10');
}

/** The node's addresses on every interface but kube-ipvs0, as kube-proxy's GetAllLocalAddressesExcept lists them. */
export function nodeAddresses(node: NodeObservation): string[] {
  const all = [...node.interfaces.values()].filter((i) => i.name !== DUMMY_DEVICE).flatMap((i) => [...i.ipv4, ...i.ipv6]);
  return [...new Set(all.map(withoutPrefix))].filter(isNodePortCandidate);
}

/** The addresses on kube-ipvs0 as `addr/len`, both families; undefined when the node has no such device. */
export function dummyAddresses(node: NodeObservation): string[] | undefined {
  const dev = node.interfaces.get(DUMMY_DEVICE);
  // A link-local address is the kernel's, never kube-proxy's.
  return dev && [...dev.ipv4, ...dev.ipv6].filter((a) => !inCidr(withoutPrefix(a), 'fe80::/10'));
}

export function nodeView(snapshot: Pick<Snapshot, 'cluster'>, node: NodeObservation): Required<Pick<NodeView, 'addresses'>> & NodeView {
  const known = snapshot.cluster.nodes.find((n) => n.name === node.name);
  return { addresses: nodeAddresses(node), ...(known && { node: known }) };
}

export { withoutPrefix };
