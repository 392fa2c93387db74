// The kernel's record of session affinity, as each mode keeps it: IPVS persistence templates (`ipvsadm -Lnc`
// lines whose client port is 0; 6.1 shows them ASSURED, older kernels NONE) and the nftables proxier's per-endpoint affinity sets
// (`affinity-…<ns>/<svc>/<proto>/<port>__<endpoint ip>/<port>`, one element per client address).
import { ParseError } from './parse-error.js';

export interface AffinityEntry {
  client: string;
  /** The endpoint the client is held to, `ip:port`. */
  backend: string;
  /** Seconds until the kernel drops the entry, as it printed them. */
  expiresS: number;
}

const CONN_HEADER = /^(IPVS connection entries|pro\s+expire\s+state)/;
const CONN = /^(TCP|UDP|SCTP)\s+(\d+):(\d\d)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)$/;

/** Persistence templates for one virtual server (`vip:port`) in `ipvsadm -Lnc` output; other connections are skipped. */
export function parseIpvsTemplates(text: string, virtual: string, source = 'ipvsadm -Lnc'): AffinityEntry[] {
  const out: AffinityEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || CONN_HEADER.test(line)) return;
    const m = CONN.exec(line);
    if (!m) throw new ParseError(source, `line ${i + 1}: not an IPVS connection entry: ${JSON.stringify(line.slice(0, 80))}`);
    const [, , min, sec, , from, vip, to] = m as unknown as string[];
    if (!from!.endsWith(':0') || vip !== virtual) return;
    out.push({ client: from!.slice(0, -2), backend: to!, expiresS: Number(min) * 60 + Number(sec) });
  });
  return out;
}

const SET = /^\s*set (affinity-\S+) \{/;
const DURATION_PART = /(\d+)(ms|d|h|m|s)/g;
const UNIT_S: Record<string, number> = { d: 86400, h: 3600, m: 60, s: 1, ms: 0.001 };

/** Elements of the affinity sets of one Service (`namespace/name`) in `nft list sets ip` output; other sets are skipped. */
export function parseNftAffinitySets(text: string, service: string, source = 'nft list sets ip'): AffinityEntry[] {
  const out: AffinityEntry[] = [];
  let backend: string | undefined;
  let elements: string | undefined;
  for (const line of text.split('\n')) {
    const set = SET.exec(line);
    if (set) {
      backend = endpointOfSet(set[1]!, service, source);
      elements = undefined;
      continue;
    }
    if (backend === undefined) continue;
    if (elements === undefined && !/^\s*elements = \{/.test(line)) continue;
    // Stryker disable next-line StringLiteral: equivalent, text before `elements = {` never reaches the body's braces
    elements = (elements ?? '') + line;
    if (!line.includes('}')) continue;
    out.push(...parseElements(elements, backend, source));
    backend = undefined;
  }
  return out;
}

/** The endpoint a set is for, when the set belongs to `service`; sets of other Services give undefined. */
function endpointOfSet(name: string, service: string, source: string): string | undefined {
  if (!name.includes(`${service}/`)) return undefined;
  const m = /__([^/]+)\/(\d+)$/.exec(name);
  if (!m) throw new ParseError(source, `affinity set ${name} does not end in __<endpoint ip>/<port>`);
  return `${m[1]!}:${m[2]!}`;
}

function parseElements(text: string, backend: string, source: string): AffinityEntry[] {
  const body = /elements = \{([^}]*)\}/.exec(text)![1]!;
  return body.split(',').map((e) => e.trim()).filter((e) => e !== '').map((e) => {
    const m = /^(\S+)(?: timeout \S+)? expires (\S+)$/.exec(e);
    if (!m) throw new ParseError(source, `affinity element without an expiry: ${JSON.stringify(e.slice(0, 80))}`);
    return { client: m[1]!, backend, expiresS: seconds(m[2]!) };
  });
}

/** nft's durations: `9s980ms`, `1m30s`, `2h`. */
function seconds(d: string): number {
  let total = 0;
  for (const [, n, unit] of d.matchAll(DURATION_PART)) total += Number(n) * UNIT_S[unit!]!;
  return Math.round(total * 1000) / 1000;
}
