// Wires the lab topology inside the guest: a "kind" bridge in the root netns, a netns per node and for mypc
// on it, a netns per pod behind a veth to its node (ptp style: node side 10.10.N.1/32, a /32 route to the pod),
// and node-to-node routes for each other's pod ranges. Nodes reach the host (the kube-apiserver) through the
// root netns. Also starts the whoami-like web backends.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabNode, LabPod, LabTopology } from './topology.js';

const podGateway = (n: LabNode) => `10.10.${n.index}.1`;

export function wiringScript(t: LabTopology, wwwDir: string): string {
  const hosts = [...t.nodes.map((n) => n.name), t.mypc.name].map(shellWord);
  const nodeByName = new Map(t.nodes.map((n) => [n.name, n]));
  const lines = [
    'set -e',
    'ip link add kind type bridge',
    `ip addr add ${t.bridgeIP}/16 dev kind`,
    'ip link set kind up',
    ...hosts.flatMap((h, i) => [`ip netns add ${h}`, `ip link add vh${i} type veth peer name eth0 netns ${h}`, `ip link set vh${i} master kind up`]),
    ...t.pods.flatMap((p, j) => [`ip netns add ${shellWord(p.name)}`, `ip link add vp${j} netns ${shellWord(p.node)} type veth peer name eth0 netns ${p.name}`]),
  ];
  for (const n of t.nodes) {
    const local = t.pods.map((p, j) => ({ p, j })).filter(({ p }) => p.node === n.name);
    lines.push(
      heredoc(`ip -n ${n.name} -batch -`, [
        'link set lo up',
        'link set eth0 up',
        `addr add ${n.ip}/16 dev eth0`,
        `route add default via ${t.bridgeIP}`,
        ...local.flatMap(({ p, j }) => [`addr add ${podGateway(n)}/32 dev vp${j}`, `link set vp${j} up`, `route add ${p.ip}/32 dev vp${j}`]),
        ...t.nodes.filter((o) => o !== n).map((o) => `route add 10.10.${o.index}.0/24 via ${o.ip}`),
      ]),
    );
  }
  lines.push(heredoc(`ip -n ${t.mypc.name} -batch -`, ['link set lo up', 'link set eth0 up', `addr add ${t.mypc.ip}/16 dev eth0`]));
  for (const p of t.pods) {
    const gw = podGateway(nodeByName.get(p.node)!);
    lines.push(
      heredoc(`ip -n ${p.name} -batch -`, ['link set lo up', 'link set eth0 up', `addr add ${p.ip}/32 dev eth0`, `route add ${gw}/32 dev eth0`, `route add default via ${gw}`]),
    );
    if (p.web) lines.push(`ip netns exec ${p.name} busybox httpd -p 80 -h ${join(wwwDir, p.name)}`);
  }
  return lines.join('\n') + '\n';
}

/** What a kubelet does when a pod's containers stop: every process in the pod's netns is killed. */
export function stopPodScript(p: Pick<LabPod, 'name'>): string {
  return `for pid in $(ip netns pids ${shellWord(p.name)}); do kill -9 "$pid"; done\n`;
}

/** Each web pod answers like traefik/whoami: a `Hostname:` line naming the pod. */
export async function writeWebRoots(t: LabTopology, wwwDir: string): Promise<void> {
  for (const p of t.pods.filter((x) => x.web)) {
    await mkdir(join(wwwDir, p.name), { recursive: true });
    await writeFile(join(wwwDir, p.name, 'index.html'), `Hostname: ${p.name}\nIP: ${p.ip}\n`);
  }
}

/** A command fed by a quoted heredoc (no expansion), so its input reaches the tool verbatim. */
export function heredoc(command: string, lines: string[]): string {
  return `${command} <<'LAB_EOF'\n${lines.join('\n')}\nLAB_EOF`;
}

export function shellWord(s: string): string {
  if (!/^[\w.-]+$/.test(s)) throw new Error(`not a safe lab name: ${s}`);
  return s;
}
