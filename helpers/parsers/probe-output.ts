// Reads what the migration probes' shell printed: one block per probe, framed by `=== probe <i>` and closed by
// `rc=<exit code>`, holding the client's own output (whoami's answer, bash's connect error, ping's summary).
import type { ProbeOutcome } from '../snapshot/model.js';
import { ParseError } from './parse-error.js';

export const PROBE_MARK = '=== probe';

export interface ProbeReading {
  outcome: ProbeOutcome;
  hostname?: string;
  remoteAddr?: string;
  detail: string;
}

/** The blocks of `count` probes, in order; a missing block or exit code is an error, never "no answer". */
export function parseProbeBlocks(text: string, count: number, icmp: (i: number) => boolean, source: string): ProbeReading[] {
  const blocks = new Map<number, string>();
  for (const block of text.split(`${PROBE_MARK} `).slice(1)) {
    const nl = block.indexOf('\n');
    blocks.set(Number(block.slice(0, nl < 0 ? undefined : nl)), nl < 0 ? '' : block.slice(nl + 1));
  }
  return Array.from({ length: count }, (_, i) => {
    const block = blocks.get(i);
    if (block === undefined) throw new ParseError(source, `no output for probe ${i}`);
    return readBlock(block, icmp(i), `${source}: probe ${i}`);
  });
}

function readBlock(block: string, icmp: boolean, source: string): ProbeReading {
  const rc = /^rc=(\d+)$/m.exec(block);
  if (!rc) throw new ParseError(source, 'no exit code (rc=N) line');
  const detail = block.slice(0, rc.index).trim();
  const hostname = /^Hostname: (\S+)\s*$/m.exec(detail)?.[1];
  if (hostname) {
    const remote = /^RemoteAddr: (\S+)\s*$/m.exec(detail)?.[1];
    return { outcome: 'answered', hostname, ...(remote && { remoteAddr: remoteIP(remote) }), detail };
  }
  return { outcome: icmp ? icmpOutcome(detail) : connectOutcome(detail, Number(rc[1])), detail };
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
