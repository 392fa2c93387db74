// One typed model for the IPVS table, whichever source it came from: /proc/net/ip_vs (hex, always present once
// ip_vs is loaded, the only source on kind nodes) or `ipvsadm -Ln` (dotted, only where ipvsadm is installed).
import { ParseError, nonEmptyLines } from './parse-error.js';
import type { Protocol } from '../snapshot/model.js';

/** Masq, Local, Route, Tunnel or FullNat as the kernel names them; kept as text so unknown ones still parse. */
export type Forward = string;

export interface RealServer {
  address: string;
  port: number;
  forward: Forward;
  weight: number;
  activeConn: number;
  inactConn: number;
}

export interface VirtualServer {
  /** 'FWM' for firewall-mark services, whose `address` is the mark in decimal. */
  protocol: Protocol | 'FWM';
  address: string;
  port: number;
  scheduler: string;
  /** The persistence timeout in seconds, as `ipvsadm -Ln` prints it. */
  persistent?: number;
  /**
   * The persistence timeout as /proc/net/ip_vs prints it: the kernel's svc->timeout, in jiffies (seconds × HZ,
   * which /proc does not tell), so it is kept apart from seconds.
   */
  persistentTicks?: number;
  realServers: RealServer[];
}

export function vsKey(protocol: string, address: string, port: number): string {
  return `${protocol}/${address}:${port}`;
}

const PROTOCOLS = new Set(['TCP', 'UDP', 'SCTP', 'FWM']);

interface AddrCodec {
  /** Splits `addr:port` into parts, or returns undefined when the text is not an address of this source. */
  split(text: string): { address: string; port: number } | undefined;
  /** A firewall mark as a decimal string (the kernel prints it in hex, ipvsadm in decimal). */
  mark(text: string): string;
  /** Which field the number after `persistent` goes to. */
  timeout: 'persistent' | 'persistentTicks';
}

/** IPv6 in its canonical compressed form, so both sources (expanded in /proc, compressed by ipvsadm) agree. */
function canonicalIPv6(a: string): string | undefined {
  try {
    return new URL(`http://[${a}]/`).hostname.slice(1, -1);
  // Stryker disable next-line BlockStatement: equivalent, an empty catch block returns undefined too.
  } catch {
    return undefined;
  }
}

function withV6(address: string | undefined, port: number) {
  return address === undefined ? undefined : { address, port };
}

const dotted: AddrCodec = {
  split(text) {
    const v4 = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(text);
    if (v4) return { address: v4[1]!, port: Number(v4[2]) };
    const v6 = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(text);
    return v6 ? withV6(canonicalIPv6(v6[1]!), Number(v6[2])) : undefined;
  },
  mark: (text) => String(Number(text)),
  timeout: 'persistent',
};

const hex: AddrCodec = {
  split(text) {
    const v4 = /^([0-9A-Fa-f]{8}):([0-9A-Fa-f]{4})$/.exec(text);
    if (v4) return { address: hexToIPv4(v4[1]!), port: parseInt(v4[2]!, 16) };
    const v6 = /^\[([0-9a-fA-F:.]+)\]:([0-9A-Fa-f]{4})$/.exec(text);
    return v6 ? withV6(canonicalIPv6(v6[1]!), parseInt(v6[2]!, 16)) : undefined;
  },
  mark: (text) => String(parseInt(text, 16)),
  timeout: 'persistentTicks',
};

export function hexToIPv4(h: string): string {
  const n = parseInt(h, 16);
  return [24, 16, 8, 0].map((s) => (n >>> s) & 0xff).join('.');
}

/** Parses `/proc/net/ip_vs`. */
export function parseProcNetIpVs(text: string, source = '/proc/net/ip_vs'): VirtualServer[] {
  return parseTable(text, source, hex);
}

/** Parses `ipvsadm -Ln`; the --stats and --rate variants (other columns) are rejected. */
export function parseIpvsadm(text: string, source = 'ipvsadm -Ln'): VirtualServer[] {
  return parseTable(text, source, dotted);
}

/** The three header lines both sources print; ipvsadm's --stats and --rate variants have other columns. */
function checkHeader(lines: string[], source: string): void {
  if (!lines[0]?.startsWith('IP Virtual Server version')) {
    throw new ParseError(source, `line 1 is not an IPVS table header: ${JSON.stringify(lines[0]?.slice(0, 60))}`);
  }
  // Stryker disable next-line ArrayDeclaration: equivalent, a missing header line fails the check below either way.
  const [vsHead, rsHead] = [lines[1]?.trim().split(/\s+/) ?? [], lines[2]?.trim().split(/\s+/) ?? []];
  if (vsHead.includes('Conns') || vsHead.includes('CPS')) throw new ParseError(source, 'is ipvsadm --stats or --rate output; expected ipvsadm -Ln');
  if (vsHead[0] !== 'Prot' || vsHead[2] !== 'Scheduler' || rsHead[0] !== '->' || rsHead[2] !== 'Forward' || rsHead[3] !== 'Weight') {
    throw new ParseError(source, 'lacks the header lines "Prot LocalAddress:Port Scheduler Flags" and "-> RemoteAddress:Port Forward Weight …"');
  }
}

function parseTable(text: string, source: string, codec: AddrCodec): VirtualServer[] {
  const lines = nonEmptyLines(text, source, 'an IPVS table');
  checkHeader(lines, source);
  const table: VirtualServer[] = [];
  lines.forEach((line, i) => {
    const where = `line ${i + 1}`;
    if (i < 3 || line.trim() === '') return; // the three header lines, checked above
    const tokens = line.trim().split(/\s+/);
    if (tokens[0] === '->') {
      const current = table[table.length - 1];
      if (!current) throw new ParseError(source, `${where}: real server before any virtual server`);
      current.realServers.push(parseRealServer(tokens, codec, source, where));
    } else {
      table.push(parseVirtualServer(tokens, codec, source, where));
    }
  });
  return table;
}

function parseVirtualServer(tokens: string[], codec: AddrCodec, source: string, where: string): VirtualServer {
  const [proto, addr, scheduler, ...flags] = tokens;
  if (!proto || !PROTOCOLS.has(proto) || !addr || !scheduler) {
    throw new ParseError(source, `${where}: not a virtual server line: ${tokens.join(' ')}`);
  }
  const vs: VirtualServer = {
    protocol: proto as VirtualServer['protocol'],
    ...(proto === 'FWM' ? { address: codec.mark(addr), port: 0 } : splitOrThrow(codec, addr, source, where)),
    scheduler,
    realServers: [],
  };
  const p = flags.indexOf('persistent');
  if (p >= 0) vs[codec.timeout] = Number(flags[p + 1]);
  return vs;
}

function parseRealServer(tokens: string[], codec: AddrCodec, source: string, where: string): RealServer {
  const [, addr, forward, weight, active, inact] = tokens;
  const nums = [weight, active, inact].map((n) => (n !== undefined && /^\d+$/.test(n) ? Number(n) : NaN));
  if (!addr || !forward || nums.some((n) => !Number.isInteger(n))) {
    throw new ParseError(source, `${where}: not a real server line: ${tokens.join(' ')}`);
  }
  return { ...splitOrThrow(codec, addr, source, where), forward, weight: nums[0]!, activeConn: nums[1]!, inactConn: nums[2]! };
}

function splitOrThrow(codec: AddrCodec, text: string, source: string, where: string) {
  const parts = codec.split(text);
  if (!parts || parts.port > 65535) throw new ParseError(source, `${where}: cannot read address ${JSON.stringify(text)}`);
  return parts;
}

/**
 * The table's configuration as sorted lines, without the live connection counters: two reads of the same table
 * (e.g. /proc/net/ip_vs and `ipvsadm -Ln`, taken moments apart) compare equal exactly when nothing was changed.
 */
export function ipvsConfigLines(table: VirtualServer[]): string[] {
  return table
    .flatMap((vs) => {
      // Persistence as a flag: /proc prints its timeout in jiffies, ipvsadm in seconds.
      const persistent = vs.persistent !== undefined || vs.persistentTicks !== undefined;
      const head = `${vsKey(vs.protocol, vs.address, vs.port)} ${vs.scheduler}${persistent ? ' persistent' : ''}`;
      return [head, ...vs.realServers.map((rs) => `${head} -> ${rs.address}:${rs.port} ${rs.forward} ${rs.weight}`)];
    })
    .sort();
}
