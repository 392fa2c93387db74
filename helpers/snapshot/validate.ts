import { isIP } from 'node:net';
import { InputError } from './input-error.js';
import { PROBE_OUTCOMES, READABLE_FORMAT_VERSIONS, STREAM_EVENT_KINDS, type ArpProbe, type ClusterJson, type ProbeResult, type StreamEventKind, type StreamsJson, type TrafficJson } from './model.js';

// Checks what the format promises, so a wrong or hand-edited file fails here, naming the file and field,
// instead of failing later inside a claim (or, worse, passing).

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPort = (v: unknown) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535;
const isBool = (v: unknown) => typeof v === 'boolean';
const isStrings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
const optional = (v: unknown, ok: (v: unknown) => boolean) => v === undefined || ok(v);
const isIp = (v: unknown) => typeof v === 'string' && isIP(v) !== 0;
/** Node names become directory names under nodes/: no separators, no `.` or `..`. */
const isSafeName = (v: unknown) => typeof v === 'string' && /^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(v);

function need(cond: boolean, file: string, what: string): void {
  if (!cond) throw new InputError(`${file}: ${what}`);
}

export function validateClusterJson(v: unknown, file: string): ClusterJson {
  need(isObj(v), file, 'expected a JSON object');
  const o = v as Obj;
  need(READABLE_FORMAT_VERSIONS.includes(o.formatVersion as number), file, `formatVersion must be ${READABLE_FORMAT_VERSIONS.slice(0, -1).join(', ')} or ${READABLE_FORMAT_VERSIONS.at(-1)}, got ${JSON.stringify(o.formatVersion)}`);
  need(['ipvs', 'iptables', 'nftables'].includes(o.proxyMode as string), file, `proxyMode must be ipvs, iptables or nftables, got ${JSON.stringify(o.proxyMode)}`);
  need(isObj(o.kubeProxyConfig), file, '"kubeProxyConfig" must be an object');
  need(Array.isArray(o.nodes) && o.nodes.length > 0, file, '"nodes" must be a non-empty array');
  validateNodes(o.nodes as unknown[], file);
  need(Array.isArray(o.services), file, '"services" must be an array');
  (o.services as unknown[]).forEach((s, i) => validateService(s, `${file}: services[${i}]`));
  return v as ClusterJson;
}

function validateNodes(nodes: unknown[], file: string): void {
  const seen = new Set<string>();
  nodes.forEach((n, i) => {
    need(isObj(n) && isSafeName(n.name), file, `nodes[${i}].name must be a node name usable as a directory name (letters, digits, . _ -)`);
    const { name, internalIP } = n as Obj;
    need(!seen.has(name as string), file, `nodes[${i}]: node "${name as string}" is listed twice`);
    seen.add(name as string);
    need(optional(internalIP, (ip) => ip === '' || isIp(ip)), file, `nodes[${i}].internalIP is not an IP address: ${JSON.stringify(internalIP)}`);
    need(optional((n as Obj).zone, (z) => typeof z === 'string'), file, `nodes[${i}].zone must be a string`);
  });
}

function validateService(s: unknown, where: string): void {
  const ok = isObj(s) && typeof s.namespace === 'string' && typeof s.name === 'string' && Array.isArray(s.clusterIPs) && Array.isArray(s.ports);
  if (!ok) throw new InputError(`${where}: needs namespace, name, clusterIPs[] and ports[]`);
  if (!optional(s.internalTrafficPolicy, (p) => p === 'Cluster' || p === 'Local')) throw new InputError(`${where}.internalTrafficPolicy must be Cluster or Local`);
  validateShape(s, where);
  (s.clusterIPs as unknown[]).forEach((ip, j) => {
    if (!(ip === 'None' || isIp(ip))) throw new InputError(`${where}.clusterIPs[${j}] is not an IP address or "None": ${JSON.stringify(ip)}`);
  });
  (s.ports as unknown[]).forEach((p, j) => {
    const pok = isObj(p) && ['TCP', 'UDP', 'SCTP'].includes(p.protocol as string) && isPort(p.port) && optional(p.nodePort, isPort) && Array.isArray(p.endpoints);
    if (!pok) throw new InputError(`${where}.ports[${j}]: needs protocol TCP|UDP|SCTP, a port from 1 to 65535, endpoints[] and (if present) a nodePort from 1 to 65535`);
    (p.endpoints as unknown[]).forEach((e, k) => {
      const eok = isObj(e) && isIp(e.ip) && isPort(e.port) && isBool(e.ready) && optional(e.serving, isBool) && optional(e.terminating, isBool) && optional(e.zoneHints, isStrings) && optional(e.nodeHints, isStrings);
      if (!eok) throw new InputError(`${where}.ports[${j}].endpoints[${k}]: needs an IP address, a port from 1 to 65535, boolean ready and (if present) boolean serving and terminating`);
    });
  });
}

const isIps = (v: unknown) => Array.isArray(v) && v.every(isIp);
const isCidr = (v: unknown) => typeof v === 'string' && /^\s*[0-9a-fA-F:.]+\/\d{1,3}\s*$/.test(v) && isIP(v.trim().split('/')[0]!) !== 0;

/** The formatVersion 4 fields of a Service's shape, each optional. */
function validateShape(s: Obj, where: string): void {
  const checks: [string, boolean, string][] = [
    ['type', optional(s.type, (t) => ['ClusterIP', 'NodePort', 'LoadBalancer'].includes(t as string)), 'must be ClusterIP, NodePort or LoadBalancer'],
    ['externalIPs', optional(s.externalIPs, isIps), 'must be an array of IP addresses'],
    ['loadBalancerIngress', optional(s.loadBalancerIngress, isIngress), 'must be an array of {ip?, hostname?, ipMode? VIP|Proxy} with ip an IP address'],
    ['loadBalancerSourceRanges', optional(s.loadBalancerSourceRanges, (r) => Array.isArray(r) && r.every(isCidr)), 'must be an array of CIDRs'],
    ['externalTrafficPolicy', optional(s.externalTrafficPolicy, (p) => p === 'Cluster' || p === 'Local'), 'must be Cluster or Local'],
    ['healthCheckNodePort', optional(s.healthCheckNodePort, isPort), 'must be a port from 1 to 65535'],
    ['sessionAffinity', optional(s.sessionAffinity, (a) => isObj(a) && Number.isInteger(a.clientIPTimeoutSeconds) && (a.clientIPTimeoutSeconds as number) >= 1), 'must be {clientIPTimeoutSeconds: a whole number ≥ 1}'],
  ];
  for (const [field, ok, what] of checks) if (!ok) throw new InputError(`${where}.${field} ${what}`);
}

function isIngress(v: unknown): boolean {
  return Array.isArray(v) && v.every((i) => isObj(i) && optional(i.ip, isIp) && optional(i.hostname, (h) => typeof h === 'string') && optional(i.ipMode, (m) => m === 'VIP' || m === 'Proxy'));
}

export function validateTrafficJson(v: unknown, file: string): TrafficJson {
  need(isObj(v), file, 'expected a JSON object');
  const o = v as Obj;
  for (const key of ['service', 'clientPod', 'clientNode'] as const) need(typeof o[key] === 'string', file, `"${key}" must be a string`);
  need(isIp(o.clusterIP), file, `"clusterIP" must be an IP address, got ${JSON.stringify(o.clusterIP)}`);
  need(isPort(o.port), file, '"port" must be a port from 1 to 65535');
  need(optional(o.protocol, (p) => ['TCP', 'UDP', 'SCTP'].includes(p as string)), file, '"protocol" must be TCP, UDP or SCTP');
  need(Array.isArray(o.responses) && o.responses.every((r) => typeof r === 'string'), file, '"responses" must be an array of strings');
  return { protocol: 'TCP', ...(o as object) } as TrafficJson;
}

export function validateArpJson(v: unknown, file: string): ArpProbe[] {
  need(Array.isArray(v), file, 'expected a JSON array of probes');
  (v as unknown[]).forEach((p, i) => {
    const ok = isObj(p) && typeof p.from === 'string' && isIp(p.target) && ['clusterIP', 'loadBalancer', 'node'].includes(p.kind as string) && Number.isInteger(p.replies) && (p.replies as number) >= 0;
    need(ok, file, `[${i}] needs from, an IP address as target, kind "clusterIP"|"loadBalancer"|"node" and a whole number of replies ≥ 0`);
  });
  return v as ArpProbe[];
}

export function validateProbesJson(v: unknown, file: string): ProbeResult[] {
  need(Array.isArray(v), file, 'expected a JSON array of probe results');
  const keys = new Set<string>();
  (v as unknown[]).forEach((p, i) => {
    const strings = isObj(p) && ['behaviour', 'key', 'from', 'target', 'detail'].every((k) => typeof p[k] === 'string');
    need(strings, file, `[${i}] needs strings behaviour, key, from, target and detail`);
    const o = p as Obj;
    need(['TCP', 'UDP', 'SCTP', 'ICMP'].includes(o.protocol as string), file, `[${i}].protocol must be TCP, UDP, SCTP or ICMP, got ${JSON.stringify(o.protocol)}`);
    need(optional(o.port, isPort), file, `[${i}].port must be a port from 1 to 65535`);
    need(PROBE_OUTCOMES.includes(o.outcome as ProbeResult['outcome']), file, `[${i}].outcome must be one of ${PROBE_OUTCOMES.join(', ')}, got ${JSON.stringify(o.outcome)}`);
    need(optional(o.remoteAddr, isIp), file, `[${i}].remoteAddr is not an IP address: ${JSON.stringify(o.remoteAddr)}`);
    need(optional(o.fromIP, isIp), file, `[${i}].fromIP is not an IP address: ${JSON.stringify(o.fromIP)}`);
    for (const k of ['hostname', 'service', 'fromNode']) need(optional(o[k], (x) => typeof x === 'string'), file, `[${i}].${k} must be a string`);
    need(optional(o.backends, (x) => Array.isArray(x) && x.every((b) => typeof b === 'string')), file, `[${i}].backends must be an array of strings`);
    need(optional(o.httpStatus, (x) => Number.isInteger(x) && (x as number) >= 100 && (x as number) <= 599), file, `[${i}].httpStatus must be an HTTP status code`);
    need(optional(o.repeat, (x) => Number.isInteger(x) && (x as number) >= 1), file, `[${i}].repeat must be a whole number of requests, 1 or more`);
    // Rows of `compare` are matched by key: a second result for one key would silently replace the first.
    need(!keys.has(o.key as string), file, `[${i}].key "${o.key as string}" appears twice`);
    keys.add(o.key as string);
  });
  return v as ProbeResult[];
}

export function validateStreamsJson(v: unknown, file: string): StreamsJson {
  need(isObj(v) && Array.isArray(v.streams) && Array.isArray(v.marks), file, 'expected {"streams": [...], "marks": [...]}');
  const o = v as { streams: unknown[]; marks: unknown[] };
  const time = (t: unknown) => typeof t === 'number' && Number.isFinite(t) && t >= 0;
  o.marks.forEach((m, i) => need(isObj(m) && time(m.t) && typeof m.label === 'string', file, `marks[${i}] needs a time t (epoch seconds) and a label`));
  o.streams.forEach((s, i) => {
    need(isObj(s) && ['name', 'from', 'target'].every((k) => typeof s[k] === 'string') && isPort(s.port), file, `streams[${i}] needs strings name, from and target, and a port`);
    const x = s as Obj;
    need(Number.isInteger(x.echoed) && (x.echoed as number) >= 0, file, `streams[${i}].echoed must be a whole number ≥ 0`);
    need(optional(x.opened, time) && optional(x.ended, time) && optional(x.backend, (b) => typeof b === 'string'), file, `streams[${i}]: opened and ended must be times, backend a string`);
    need(Array.isArray(x.events), file, `streams[${i}].events must be an array`);
    (x.events as unknown[]).forEach((e, j) => {
      const ok = isObj(e) && time(e.t) && STREAM_EVENT_KINDS.includes(e.kind as StreamEventKind) && Number.isInteger(e.seq);
      need(ok, file, `streams[${i}].events[${j}] needs a time t, a kind (${STREAM_EVENT_KINDS.join(', ')}) and a whole seq`);
    });
  });
  return v as StreamsJson;
}
