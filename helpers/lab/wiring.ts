// Wires the lab topology inside the guest: a "kind" bridge in the root netns, a netns per node and for mypc
// on it, a netns per pod behind a veth to its node (ptp style: node side 10.10.N.1/32, a /32 route to the pod),
// and node-to-node routes for each other's pod ranges. Nodes reach the host (the kube-apiserver) through the
// root netns. Also starts the whoami-like backends: busybox httpd on the web pods (a CGI answers with the client's
// address), whoami.pl on the kube-dns pods.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { STREAM_PORT } from '../collectors/streams.js';
import type { LabNode, LabPod, LabTopology } from './topology.js';

const podGateway = (n: LabNode) => `10.10.${n.index}.1`;
const WHOAMI_PL = join(import.meta.dirname, 'whoami.pl');
/** The web pods' CGI: what traefik/whoami answers, with the client's address as the backend sees it. */
export const WHOAMI_PATH = '/cgi-bin/whoami';

/**
 * `netns` maps a lab name to its network namespace's name: the identity in a UML guest (its own namespace list),
 * a run-scoped prefix on the host, where the names are shared with everything else.
 */
export function wiringScript(t: LabTopology, wwwDir: string, netns: (name: string) => string = (n) => n): string {
  const ns = (name: string) => shellWord(netns(name));
  const hosts = [...t.nodes.map((n) => n.name), t.mypc.name].map(ns);
  const nodeByName = new Map(t.nodes.map((n) => [n.name, n]));
  const lines = [
    'set -e',
    'ip link add kind type bridge',
    `ip addr add ${t.bridgeIP}/16 dev kind`,
    'ip link set kind up',
    ...hosts.flatMap((h, i) => [`ip netns add ${h}`, `ip link add vh${i} type veth peer name eth0 netns ${h}`, `ip link set vh${i} master kind up`]),
    ...t.pods.flatMap((p, j) => [`ip netns add ${ns(p.name)}`, `ip link add vp${j} netns ${ns(p.node)} type veth peer name eth0 netns ${ns(p.name)}`]),
  ];
  for (const n of t.nodes) {
    const local = t.pods.map((p, j) => ({ p, j })).filter(({ p }) => p.node === n.name);
    lines.push(
      heredoc(`ip -n ${ns(n.name)} -batch -`, [
        'link set lo up',
        'link set eth0 up',
        `addr add ${n.ip}/16 dev eth0`,
        ...(n.secondaryIP ? [`addr add ${n.secondaryIP}/16 dev eth0`] : []),
        `route add default via ${t.bridgeIP}`,
        ...local.flatMap(({ p, j }) => [`addr add ${podGateway(n)}/32 dev vp${j}`, `link set vp${j} up`, `route add ${p.ip}/32 dev vp${j}`]),
        ...t.nodes.filter((o) => o !== n).map((o) => `route add 10.10.${o.index}.0/24 via ${o.ip}`),
      ]),
    );
  }
  lines.push(heredoc(`ip -n ${ns(t.mypc.name)} -batch -`, ['link set lo up', 'link set eth0 up', `addr add ${t.mypc.ip}/16 dev eth0`]));
  for (const p of t.pods) {
    const gw = podGateway(nodeByName.get(p.node)!);
    lines.push(
      heredoc(`ip -n ${ns(p.name)} -batch -`, ['link set lo up', 'link set eth0 up', `addr add ${p.ip}/32 dev eth0`, `route add ${gw}/32 dev eth0`, `route add default via ${gw}`]),
    );
    if (p.web) lines.push(`ip netns exec ${ns(p.name)} busybox httpd -p 80 -h ${join(wwwDir, p.name)}`);
    // The long-lived streams' backend: names itself, then echoes every line (helpers/collectors/streams.ts).
    if (p.web) lines.push(`ip netns exec ${ns(p.name)} busybox nc -ll -p ${STREAM_PORT} -e ${join(wwwDir, p.name, STREAM_SERVER)} </dev/null >/dev/null 2>&1 &`);
    if (p.dns) lines.push(`ip netns exec ${ns(p.name)} perl ${WHOAMI_PL} ${p.name} udp:53 tcp:53 tcp:9153 </dev/null >/dev/null 2>&1 &`);
  }
  return lines.join('\n') + '\n';
}

/** What a kubelet does when a pod's containers stop: every process in the pod's netns is killed. */
export function stopPodScript(p: Pick<LabPod, 'name'>): string {
  return `for pid in $(ip netns pids ${shellWord(p.name)}); do kill -9 "$pid"; done\n`;
}

const STREAM_SERVER = 'stream.sh';

/** Each web pod answers like traefik/whoami: a `Hostname:` line naming the pod. */
export async function writeWebRoots(t: LabTopology, wwwDir: string): Promise<void> {
  for (const p of t.pods.filter((x) => x.web)) {
    await mkdir(join(wwwDir, p.name), { recursive: true });
    await writeFile(join(wwwDir, p.name, 'index.html'), `Hostname: ${p.name}\nIP: ${p.ip}\n`);
    const cgi = join(wwwDir, p.name, WHOAMI_PATH);
    await mkdir(join(cgi, '..'), { recursive: true });
    await writeFile(cgi, `#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\nHostname: %s\\nRemoteAddr: %s:%s\\n' ${p.name} "$REMOTE_ADDR" "$REMOTE_PORT"\n`);
    await chmod(cgi, 0o755);
    await writeFile(join(wwwDir, p.name, STREAM_SERVER), `#!/bin/sh\necho 'Hostname: ${p.name}'\nexec cat\n`);
    await chmod(join(wwwDir, p.name, STREAM_SERVER), 0o755);
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
