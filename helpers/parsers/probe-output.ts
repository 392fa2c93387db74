// Reads what the migration probes' shell printed: one block per probe, framed by `=== probe <i>` and closed by
// `rc=<exit code>`, holding the client's own output (whoami's answer, bash's connect error, ping's summary, or a
// UDP reply dumped by `od -c`, since a real DNS server answers in binary).
import type { ProbeOutcome } from '../snapshot/model.js';
import { ParseError } from './parse-error.js';

export const PROBE_MARK = '=== probe';

export interface ProbeReading {
  outcome: ProbeOutcome;
  hostname?: string;
  /** Every backend that answered, sorted, when more than one request was made. */
  backends?: string[];
  httpStatus?: number;
  remoteAddr?: string;
  detail: string;
}

/** The blocks of `count` probes, in order; a missing block or exit code is an error, never "no answer". */
/** `readsStatus(i)`: probe i asks a plain HTTP server (kube-proxy's health check) whose status is its answer. */
export function parseProbeBlocks(text: string, count: number, protocol: (i: number) => string, source: string, readsStatus: (i: number) => boolean = () => false): ProbeReading[] {
  const blocks = new Map<number, string>();
  for (const block of text.split(`${PROBE_MARK} `).slice(1)) {
    const nl = block.indexOf('\n');
    blocks.set(Number(block.slice(0, nl < 0 ? undefined : nl)), nl < 0 ? '' : block.slice(nl + 1));
  }
  return Array.from({ length: count }, (_, i) => {
    const block = blocks.get(i);
    if (block === undefined) throw new ParseError(source, `no output for probe ${i}`);
    return readBlock(block, protocol(i), `${source}: probe ${i}`, readsStatus(i));
  });
}

function readBlock(block: string, protocol: string, source: string, readsStatus: boolean): ProbeReading {
  const rc = /^rc=(\d+)$/m.exec(block);
  if (!rc) throw new ParseError(source, 'no exit code (rc=N) line');
  const raw = block.slice(0, rc.index);
  const detail = raw.trim();
  const text = protocol === 'UDP' ? fromOd(raw) : detail;
  const hostnames = [...text.matchAll(/^Hostname: (\S+)\s*$/gm)].map((m) => m[1]!);
  if (hostnames.length > 0) {
    const remote = /^RemoteAddr: (\S+)\s*$/m.exec(text)?.[1];
    const backends = hostnames.length > 1 ? { backends: [...new Set(hostnames)].sort() } : {};
    return { outcome: 'answered', hostname: hostnames[0]!, ...backends, ...(remote && { remoteAddr: remoteIP(remote) }), detail: text };
  }
  // A plain HTTP server asked for its status (kube-proxy's health check: 200 or 503), read to its end. Any other
  // HTTP answer is not whoami's: whatever answered is not the Service's backend.
  const status = readsStatus ? /^HTTP\/1\.[01] (\d{3})\b/.exec(text)?.[1] : undefined;
  if (status && rc[1] === '0') return { outcome: 'answered', httpStatus: Number(status), detail };
  if (protocol === 'ICMP') return { outcome: icmpOutcome(detail), detail };
  // A UDP reply without whoami's lines (a real DNS server's) is still an answer.
  if (protocol === 'UDP' && rc[1] === '0' && text !== '') return { outcome: 'answered', detail };
  return { outcome: connectOutcome(detail, Number(rc[1])), detail };
}

/**
 * The bytes `od -An -c` printed, back as text when they are text (whoami.pl's answer); otherwise the dump as is.
 * Each byte is a 4-column cell: a character, or an escape such as `\n` or `\0`, or three octal digits.
 */
export function fromOd(dump: string): string {
  const cells = dump.split('\n').filter((line) => line.trim() !== '').flatMap((line) => line.match(/.{1,4}/g) ?? []).map((c) => c.trim());
  const escapes: Record<string, string> = { '\\n': '\n', '\\r': '\r', '\\t': '\t', '': ' ' };
  const chars = cells.map((c) => (c in escapes ? escapes[c]! : c.length === 1 ? c : undefined));
  return chars.every((c) => c !== undefined) ? chars.join('').trim() : dump.trim();
}

function icmpOutcome(detail: string): ProbeOutcome {
  return /\b[1-9]\d* packets received/.test(detail) ? 'replied' : 'no-reply';
}

/** `timeout` exits 124 when the client waited its 3 s out; bash names a refused or unroutable connect. */
function connectOutcome(detail: string, rc: number): ProbeOutcome {
  if (/Connection refused/.test(detail)) return 'refused';
  if (/No route to host|Network is unreachable|Host is unreachable/.test(detail)) return 'unreachable';
  if (rc === 124) return 'timeout';
  return 'closed';
}

/** `10.10.0.5:41234`, `[::ffff:10.10.0.5]:41234` (busybox httpd) → `10.10.0.5`. */
export function remoteIP(addr: string): string {
  const host = addr.startsWith('[') ? addr.slice(1, addr.indexOf(']')) : addr.slice(0, addr.lastIndexOf(':'));
  return host.replace(/^::ffff:/, '');
}
