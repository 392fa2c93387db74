import { ParseError } from './parse-error.js';

export interface NetInterface {
  name: string;
  flags: string[];
  operstate: string;
  /** IPv4 addresses as `a.b.c.d/len`. */
  ipv4: string[];
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
  for (const link of raw as RawLink[]) {
    if (typeof link?.ifname !== 'string') throw new ParseError(source, 'an interface has no "ifname"');
    const addrs = Array.isArray(link.addr_info) ? (link.addr_info as RawAddr[]) : [];
    out.set(link.ifname, {
      name: link.ifname,
      flags: Array.isArray(link.flags) ? link.flags.map(String) : [],
      operstate: typeof link.operstate === 'string' ? link.operstate : 'UNKNOWN',
      ipv4: addrs.filter((a) => a.family === 'inet').map((a) => `${String(a.local)}/${String(a.prefixlen)}`),
    });
  }
  return out;
}
