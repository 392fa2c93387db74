// Programs a lab node's netns the way kube-proxy does, from the same Service model that cluster.json carries.
// What it writes follows shared facts about kube-proxy (pkg/proxy/ipvs and pkg/proxy/iptables): the dummy
// kube-ipvs0, rr virtual servers with Masq real servers, the 17 ipsets, the nat/filter chains and the sysctls.
// Output is bash with heredocs so a whole node is programmed by a handful of batched tools
// (ip -batch, ipvsadm-restore, ipset restore, iptables-legacy-restore): spawns are slow in UML.
import { createHash } from 'node:crypto';
import { expectedClusterIPs, expectedServicePorts, ipsetEntry, type ExpectedServicePort } from '../claims/expected.js';
import type { ClusterJson } from '../snapshot/model.js';
import { POD_SUBNET } from './topology.js';

const MASQ_MARK = '0x4000';

const IPSETS: [name: string, type: string][] = [
  ['KUBE-LOOP-BACK', 'hash:ip,port,ip'],
  ['KUBE-CLUSTER-IP', 'hash:ip,port'],
  ['KUBE-EXTERNAL-IP', 'hash:ip,port'],
  ['KUBE-EXTERNAL-IP-LOCAL', 'hash:ip,port'],
  ['KUBE-LOAD-BALANCER', 'hash:ip,port'],
  ['KUBE-LOAD-BALANCER-FW', 'hash:ip,port'],
  ['KUBE-LOAD-BALANCER-LOCAL', 'hash:ip,port'],
  ['KUBE-LOAD-BALANCER-SOURCE-IP', 'hash:ip,port,ip'],
  ['KUBE-LOAD-BALANCER-SOURCE-CIDR', 'hash:ip,port,net'],
  ['KUBE-NODE-PORT-TCP', 'bitmap:port'],
  ['KUBE-NODE-PORT-LOCAL-TCP', 'bitmap:port'],
  ['KUBE-NODE-PORT-UDP', 'bitmap:port'],
  ['KUBE-NODE-PORT-LOCAL-UDP', 'bitmap:port'],
  ['KUBE-NODE-PORT-SCTP-HASH', 'hash:ip,port'],
  ['KUBE-NODE-PORT-LOCAL-SCTP-HASH', 'hash:ip,port'],
  ['KUBE-HEALTH-CHECK-NODE-PORT', 'bitmap:port'],
  ['KUBE-IPVS-IPS', 'hash:ip'],
];

/** The whole bash fragment that programs one node, in the cluster's proxy mode. */
export function programNode(cluster: ClusterJson, node: string): string {
  const ns = shellWord(node);
  const ports = expectedServicePorts(cluster);
  if (cluster.proxyMode === 'iptables') {
    return [heredoc(`ip netns exec ${ns} iptables-legacy-restore`, iptablesModeRules(ports)), sysctls(ns, { 'net.ipv4.ip_forward': 1 })].join('\n');
  }
  const strict = cluster.kubeProxyConfig.ipvs?.strictARP === true;
  return [
    heredoc(`ip -n ${ns} -batch -`, kubeIpvs0Batch(cluster)),
    heredoc(`ip netns exec ${ns} ipvsadm-restore`, ipvsadmRules(ports, cluster.kubeProxyConfig.ipvs?.scheduler || 'rr')),
    heredoc(`ip netns exec ${ns} ipset restore`, ipsetRestore(cluster, ports, node)),
    heredoc(`ip netns exec ${ns} iptables-legacy-restore`, ipvsModeRules()),
    sysctls(ns, {
      'net.ipv4.vs.conntrack': 1,
      'net.ipv4.vs.expire_nodest_conn': 1,
      'net.ipv4.vs.expire_quiescent_template': 1,
      'net.ipv4.ip_forward': 1,
      // Only under strictARP: kube-proxy leaves the kernel defaults (0/0) otherwise.
      ...(strict && { 'net.ipv4.conf.all.arp_ignore': 1, 'net.ipv4.conf.all.arp_announce': 2 }),
    }),
  ].join('\n');
}

function kubeIpvs0Batch(cluster: ClusterJson): string[] {
  // Created and never set UP, exactly as kube-proxy's EnsureDummyDevice does.
  return ['link add kube-ipvs0 type dummy', ...[...expectedClusterIPs(cluster).keys()].map((ip) => `addr add ${ip}/32 dev kube-ipvs0`)];
}

const IPVSADM_PROTO = { TCP: '-t', UDP: '-u', SCTP: '--sctp-service' } as const;

export function ipvsadmRules(ports: ExpectedServicePort[], scheduler: string): string[] {
  return ports.flatMap((p) => {
    const vs = `${IPVSADM_PROTO[p.protocol]} ${p.clusterIP}:${p.port}`;
    return [`-A ${vs} -s ${scheduler}`, ...p.ready.map((e) => `-a ${vs} -r ${e.ip}:${e.port} -m -w 1`)];
  });
}

function ipsetRestore(cluster: ClusterJson, ports: ExpectedServicePort[], node: string): string[] {
  const creates = IPSETS.map(([name, type]) =>
    type === 'bitmap:port' ? `create ${name} ${type} range 0-65535` : `create ${name} ${type} family inet hashsize 1024 maxelem 65536`,
  );
  const clusterIP = ports.map((p) => `add KUBE-CLUSTER-IP ${ipsetEntry(p)}`);
  // Hairpin entries exist only for endpoints local to this node.
  const loopBack = ports.flatMap((p) =>
    p.ready.filter((e) => e.nodeName === node && e.pod).map((e) => `add KUBE-LOOP-BACK ${e.ip},${p.protocol.toLowerCase()}:${e.port},${e.ip}`),
  );
  const ipvsIps = [...expectedClusterIPs(cluster).keys()].map((ip) => `add KUBE-IPVS-IPS ${ip}`);
  return [...creates, ...clusterIP, ...new Set(loopBack), ...ipvsIps];
}

const comment = (text: string) => `-m comment --comment "${text}"`;

/** kube-proxy's static IPVS-mode rule set: its size does not depend on the number of services. */
export function ipvsModeRules(): string[] {
  const set = (name: string, dir: string) => `-m set --match-set ${name} ${dir}`;
  return [
    '*nat',
    ...chains(['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'], ['KUBE-SERVICES', 'KUBE-POSTROUTING', 'KUBE-NODE-PORT', 'KUBE-LOAD-BALANCER', 'KUBE-MARK-MASQ']),
    `-A PREROUTING ${comment('kubernetes service portals')} -j KUBE-SERVICES`,
    `-A OUTPUT ${comment('kubernetes service portals')} -j KUBE-SERVICES`,
    `-A POSTROUTING ${comment('kubernetes postrouting rules')} -j KUBE-POSTROUTING`,
    '-A KUBE-SERVICES -s 127.0.0.0/8 -j RETURN',
    `-A KUBE-POSTROUTING ${comment('Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose')} ${set('KUBE-LOOP-BACK', 'dst,dst,src')} -j MASQUERADE`,
    `-A KUBE-SERVICES ${comment('Kubernetes service cluster ip + port for masquerade purpose')} ${set('KUBE-CLUSTER-IP', 'dst,dst')} ! -s ${POD_SUBNET} -j KUBE-MARK-MASQ`,
    '-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT',
    '-A KUBE-LOAD-BALANCER -j KUBE-MARK-MASQ',
    `-A KUBE-SERVICES ${set('KUBE-CLUSTER-IP', 'dst,dst')} -j ACCEPT`,
    ...postroutingAndMark(),
    'COMMIT',
    '*filter',
    ...chains(['INPUT', 'FORWARD', 'OUTPUT'], ['KUBE-FORWARD', 'KUBE-NODE-PORT', 'KUBE-PROXY-FIREWALL', 'KUBE-SOURCE-RANGES-FIREWALL', 'KUBE-IPVS-FILTER', 'KUBE-IPVS-OUT-FILTER']),
    `-A INPUT ${comment('kubernetes ipvs access filter')} -j KUBE-IPVS-FILTER`,
    `-A INPUT ${comment('kube-proxy firewall rules')} -j KUBE-PROXY-FIREWALL`,
    `-A INPUT ${comment('kubernetes health check rules')} -j KUBE-NODE-PORT`,
    `-A FORWARD ${comment('kube-proxy firewall rules')} -j KUBE-PROXY-FIREWALL`,
    `-A FORWARD ${comment('kubernetes forwarding rules')} -j KUBE-FORWARD`,
    `-A OUTPUT ${comment('kubernetes ipvs access filter')} -j KUBE-IPVS-OUT-FILTER`,
    '-A KUBE-SOURCE-RANGES-FIREWALL -j DROP',
    ...forwardRules(),
    `-A KUBE-NODE-PORT ${comment('Kubernetes health check node port')} ${set('KUBE-HEALTH-CHECK-NODE-PORT', 'dst')} -j ACCEPT`,
    `-A KUBE-IPVS-FILTER ${set('KUBE-LOAD-BALANCER', 'dst,dst')} -j RETURN`,
    `-A KUBE-IPVS-FILTER ${set('KUBE-CLUSTER-IP', 'dst,dst')} -j RETURN`,
    `-A KUBE-IPVS-FILTER ${set('KUBE-EXTERNAL-IP', 'dst,dst')} -j RETURN`,
    `-A KUBE-IPVS-FILTER ${set('KUBE-EXTERNAL-IP-LOCAL', 'dst,dst')} -j RETURN`,
    `-A KUBE-IPVS-FILTER ${set('KUBE-HEALTH-CHECK-NODE-PORT', 'dst')} -j RETURN`,
    `-A KUBE-IPVS-FILTER -m conntrack --ctstate NEW ${set('KUBE-IPVS-IPS', 'dst')} -j REJECT`,
    'COMMIT',
  ];
}

/** iptables mode: a KUBE-SVC chain per service port and a KUBE-SEP chain per endpoint, so the count grows. */
export function iptablesModeRules(ports: ExpectedServicePort[]): string[] {
  const withEndpoints = ports.filter((p) => p.ready.length > 0);
  const perService = withEndpoints.map((p) => serviceRules(p));
  const own = perService.flatMap((s) => s.chains);
  return [
    '*nat',
    ...chains(['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'], ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ', ...own]),
    `-A PREROUTING ${comment('kubernetes service portals')} -j KUBE-SERVICES`,
    `-A OUTPUT ${comment('kubernetes service portals')} -j KUBE-SERVICES`,
    `-A POSTROUTING ${comment('kubernetes postrouting rules')} -j KUBE-POSTROUTING`,
    ...postroutingAndMark(),
    ...perService.flatMap((s) => s.rules),
    `-A KUBE-SERVICES ${comment('kubernetes service nodeports; NOTE: this must be the last rule in this chain')} -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS`,
    'COMMIT',
    '*filter',
    ...chains(['INPUT', 'FORWARD', 'OUTPUT'], ['KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES', 'KUBE-FORWARD', 'KUBE-NODEPORTS', 'KUBE-PROXY-FIREWALL']),
    `-A INPUT -m conntrack --ctstate NEW ${comment('kubernetes load balancer firewall')} -j KUBE-PROXY-FIREWALL`,
    `-A INPUT ${comment('kubernetes health check service ports')} -j KUBE-NODEPORTS`,
    `-A INPUT -m conntrack --ctstate NEW ${comment('kubernetes externally-visible service portals')} -j KUBE-EXTERNAL-SERVICES`,
    `-A FORWARD -m conntrack --ctstate NEW ${comment('kubernetes load balancer firewall')} -j KUBE-PROXY-FIREWALL`,
    `-A FORWARD ${comment('kubernetes forwarding rules')} -j KUBE-FORWARD`,
    `-A FORWARD -m conntrack --ctstate NEW ${comment('kubernetes service portals')} -j KUBE-SERVICES`,
    `-A OUTPUT -m conntrack --ctstate NEW ${comment('kubernetes service portals')} -j KUBE-SERVICES`,
    '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
    ...forwardRules(),
    'COMMIT',
  ];
}

function serviceRules(p: ExpectedServicePort): { chains: string[]; rules: string[] } {
  const portName = `${p.service}:${p.port}`;
  const proto = p.protocol.toLowerCase();
  const svcChain = `KUBE-SVC-${chainHash(portName + proto)}`;
  const match = `-d ${p.clusterIP}/32 -p ${proto} ${comment(`${portName} cluster IP`)} -m ${proto} --dport ${p.port}`;
  const seps = p.ready.map((e) => ({ e, chain: `KUBE-SEP-${chainHash(portName + proto + `${e.ip}:${e.port}`)}` }));
  const rules = [
    `-A KUBE-SERVICES ${match} -j ${svcChain}`,
    `-A ${svcChain} ! -s ${POD_SUBNET} ${match} -j KUBE-MARK-MASQ`,
    // Rule i of n picks with probability 1/(n-i), which makes the overall split uniform.
    ...seps.map(({ e, chain }, i) => {
      const stat = i < seps.length - 1 ? ` -m statistic --mode random --probability ${(1 / (seps.length - i)).toFixed(10)}` : '';
      return `-A ${svcChain} ${comment(`${portName} -> ${e.ip}:${e.port}`)}${stat} -j ${chain}`;
    }),
    ...seps.flatMap(({ e, chain }) => [
      `-A ${chain} -s ${e.ip}/32 ${comment(portName)} -j KUBE-MARK-MASQ`,
      `-A ${chain} -p ${proto} ${comment(portName)} -m ${proto} -j DNAT --to-destination ${e.ip}:${e.port}`,
    ]),
  ];
  return { chains: [svcChain, ...seps.map((s) => s.chain)], rules };
}

function postroutingAndMark(): string[] {
  return [
    `-A KUBE-POSTROUTING -m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`,
    `-A KUBE-POSTROUTING -j MARK --xor-mark ${MASQ_MARK}`,
    `-A KUBE-POSTROUTING ${comment('kubernetes service traffic requiring SNAT')} -j MASQUERADE --random-fully`,
    `-A KUBE-MARK-MASQ -j MARK --or-mark ${MASQ_MARK}`,
  ];
}

function forwardRules(): string[] {
  return [
    `-A KUBE-FORWARD ${comment('kubernetes forwarding rules')} -m mark --mark ${MASQ_MARK}/${MASQ_MARK} -j ACCEPT`,
    `-A KUBE-FORWARD ${comment('kubernetes forwarding conntrack rule')} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
  ];
}

function chains(builtin: string[], own: string[]): string[] {
  return [...builtin.map((c) => `:${c} ACCEPT [0:0]`), ...own.map((c) => `:${c} - [0:0]`)];
}

/** kube-proxy's chain suffix: the first 16 characters of base32(sha256(text)). */
export function chainHash(text: string): string {
  const bytes = createHash('sha256').update(text).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5 && out.length < 16) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

function sysctls(ns: string, values: Record<string, number>): string {
  return `ip netns exec ${ns} sysctl -qw ${Object.entries(values).map(([k, v]) => `${k}=${v}`).join(' ')}`;
}

/** A command fed by a quoted heredoc (no expansion), so rule text reaches the tool verbatim. */
export function heredoc(command: string, lines: string[]): string {
  return `${command} <<'LAB_EOF'\n${lines.join('\n')}\nLAB_EOF`;
}

export function shellWord(s: string): string {
  if (!/^[\w.-]+$/.test(s)) throw new Error(`not a safe lab name: ${s}`);
  return s;
}
