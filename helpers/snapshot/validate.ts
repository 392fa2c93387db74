import { InputError } from './input-error.js';
import { READABLE_FORMAT_VERSIONS, type ArpProbe, type ClusterJson, type TrafficJson } from './model.js';

// Shallow shape checks: enough that a wrong or hand-edited file fails here, naming the file and field,
// instead of failing later inside a claim as a TypeError.

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function need(cond: boolean, file: string, what: string): void {
  if (!cond) throw new InputError(`${file}: ${what}`);
}

export function validateClusterJson(v: unknown, file: string): ClusterJson {
  need(isObj(v), file, 'expected a JSON object');
  const o = v as Obj;
  need(READABLE_FORMAT_VERSIONS.includes(o.formatVersion as number), file, `formatVersion must be ${READABLE_FORMAT_VERSIONS.join(' or ')}, got ${JSON.stringify(o.formatVersion)}`);
  need(['ipvs', 'iptables', 'nftables'].includes(o.proxyMode as string), file, `proxyMode must be ipvs, iptables or nftables, got ${JSON.stringify(o.proxyMode)}`);
  need(isObj(o.kubeProxyConfig), file, '"kubeProxyConfig" must be an object');
  need(Array.isArray(o.nodes) && o.nodes.length > 0, file, '"nodes" must be a non-empty array');
  (o.nodes as unknown[]).forEach((n, i) => need(isObj(n) && typeof n.name === 'string', file, `nodes[${i}].name must be a string`));
  need(Array.isArray(o.services), file, '"services" must be an array');
  (o.services as unknown[]).forEach((s, i) => validateService(s, `${file}: services[${i}]`));
  return v as ClusterJson;
}

function validateService(s: unknown, where: string): void {
  const ok = isObj(s) && typeof s.namespace === 'string' && typeof s.name === 'string' && Array.isArray(s.clusterIPs) && Array.isArray(s.ports);
  if (!ok) throw new InputError(`${where}: needs namespace, name, clusterIPs[] and ports[]`);
  (s.ports as unknown[]).forEach((p, j) => {
    const pok = isObj(p) && ['TCP', 'UDP', 'SCTP'].includes(p.protocol as string) && Number.isInteger(p.port) && Array.isArray(p.endpoints);
    if (!pok) throw new InputError(`${where}.ports[${j}]: needs protocol TCP|UDP|SCTP, integer port and endpoints[]`);
    (p.endpoints as unknown[]).forEach((e, k) => {
      const optionalBool = (v: unknown) => v === undefined || typeof v === 'boolean';
      const eok = isObj(e) && typeof e.ip === 'string' && Number.isInteger(e.port) && typeof e.ready === 'boolean' && optionalBool(e.serving) && optionalBool(e.terminating);
      if (!eok) throw new InputError(`${where}.ports[${j}].endpoints[${k}]: needs ip, integer port, boolean ready and (if present) boolean serving and terminating`);
    });
  });
}

export function validateTrafficJson(v: unknown, file: string): TrafficJson {
  need(isObj(v), file, 'expected a JSON object');
  const o = v as Obj;
  need(typeof o.service === 'string' && typeof o.clusterIP === 'string', file, 'needs "service" and "clusterIP" strings');
  need(Number.isInteger(o.port), file, '"port" must be an integer');
  need(Array.isArray(o.responses) && o.responses.every((r) => typeof r === 'string'), file, '"responses" must be an array of strings');
  return { protocol: 'TCP', ...(o as object) } as TrafficJson;
}

export function validateArpJson(v: unknown, file: string): ArpProbe[] {
  need(Array.isArray(v), file, 'expected a JSON array of probes');
  (v as unknown[]).forEach((p, i) => {
    const ok = isObj(p) && typeof p.target === 'string' && (p.kind === 'clusterIP' || p.kind === 'node') && Number.isInteger(p.replies);
    need(ok, file, `[${i}] needs target, kind "clusterIP"|"node" and integer replies`);
  });
  return v as ArpProbe[];
}
