import { ParseError } from './parse-error.js';

export interface NetInterface {
  name: string;
  flags: string[];
  operstate: string;
  /** IPv4 addresses as `a.b.c.d/len`. */
  ipv4: string[];
  /** IPv6 addresses as `addr/len`, as `ip` prints them. */
  ipv6: string[];
}

interface RawAddr { family?: unknown; local?: unknown; prefixlen?: unknown }
interface RawLink { ifname?: unknown; flags?: unknown; operstate?: unknown; addr_info?: unknown }

/** Parses `ip -j addr show` into interfaces keyed by name. */
export function parseIpAddrJson(text: string, source = 'ip -j addr show'): Map<string, NetInterface> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ParseError(source, `is not JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(raw)) throw new ParseError(source, 'expected a JSON array of interfaces');
  const out = new Map<string, NetInterface>();
  for (const [i, link] of (raw as (RawLink | null)[]).entries()) {
    if (typeof link?.ifname !== 'string') throw new ParseError(source, `interface [${i}] has no "ifname"`);
    const ifname = link.ifname;
    const addrs = Array.isArray(link.addr_info) ? (link.addr_info as (RawAddr | null)[]) : [];
    addrs.forEach((a, j) => {
      const ok = typeof a === 'object' && a !== null && typeof a.family === 'string' && typeof a.local === 'string' && Number.isInteger(a.prefixlen);
      if (!ok) throw new ParseError(source, `${ifname}: addr_info[${j}] needs family, local and an integer prefixlen`);
    });
    out.set(link.ifname, {
      name: link.ifname,
      flags: Array.isArray(link.flags) ? link.flags.map(String) : [],
      operstate: typeof link.operstate === 'string' ? link.operstate : 'UNKNOWN',
      ipv4: withPrefix(addrs as RawAddr[], 'inet'),
      ipv6: withPrefix(addrs as RawAddr[], 'inet6'),
    });
  }
  return out;
}

function withPrefix(addrs: RawAddr[], family: string): string[] {
  return addrs.filter((a) => a.family === family).map((a) => `${String(a.local)}/${String(a.prefixlen)}`);
}
