// Session affinity past its timeout, judged per node by the mode that node ran: what each mode is documented to
// keep, against the kernel's affinity entries read after the wait and where the next new connection went.
import type { AffinityExpiryReading } from '../collectors/affinity-expiry.js';

export interface AffinityExpiryRow {
  node: string;
  mode: string;
  ok: boolean;
  documented: string;
  measured: string;
}

export const AFFINITY_EXPIRY_DOCUMENTED: Record<string, string> = {
  ipvs: 'held past the timeout: IPVS keeps a persistence template while a connection it controls lives (TCP TIME_WAIT: 2 min) (kubernetes/kubernetes#89358)',
  nftables: 'expired: each affinity-set element times out timeoutSeconds after its client\'s last new connection (pkg/proxy/nftables/proxier.go: set timeout, `update @affinity-…`)',
};

export function judgeAffinityExpiry(r: AffinityExpiryReading): AffinityExpiryRow {
  const documented = AFFINITY_EXPIRY_DOCUMENTED[r.mode];
  const list = (entries: AffinityExpiryReading['entriesAfterWait']) => (entries.length > 0 ? entries.map((e) => `${e.client} → ${e.backend} (expires in ${e.expiresS} s)`).join('; ') : 'none');
  const wait = r.site.timeoutSeconds + r.site.marginSeconds;
  const measured = `${r.site.service} (timeoutSeconds ${r.site.timeoutSeconds}): first answer ${r.first ?? 'none'}; affinity entries right after it: ${list(r.entriesAfterFirst)}; ${wait} s later: ${list(r.entriesAfterWait)}; next answer ${r.second ?? 'none'}`;
  const base = { node: r.node, mode: r.mode, measured };
  if (!documented) return { ...base, ok: false, documented: `no documented outcome in ${r.mode} mode; judged in ipvs and nftables mode only` };
  // Without an entry after the first request there is nothing to see expire: the reading proves nothing.
  const recorded = r.first !== undefined && r.second !== undefined && r.entriesAfterFirst.length > 0;
  const held = r.entriesAfterWait.length > 0;
  const ok = recorded && (r.mode === 'ipvs' ? held && r.second === r.first : !held);
  return { ...base, ok, documented };
}

/** One line per node: verdict, mode, what was measured, and what is documented. */
export function affinityExpiryLines(rows: AffinityExpiryRow[]): string[] {
  return rows.map((r) => `${r.ok ? 'ok  ' : 'FAIL'}  ${r.node} (${r.mode}): ${r.measured} — documented: ${r.documented}`);
}
