// Session affinity after its timeout (kubernetes/kubernetes#89358): a node asks a ClientIP-affinity Service once,
// reads the kernel's affinity record for that Service (IPVS templates and the nftables affinity sets; a node has
// one or the other), waits past sessionAffinityConfig.clientIP.timeoutSeconds, reads it again and asks again.
import { runOk, type Exec } from '../exec/exec.js';
import { parseIpvsTemplates, parseNftAffinitySets, type AffinityEntry } from '../parsers/affinity-entries.js';
import { parseHostnames } from '../parsers/whoami.js';
import { whoamiRequest } from './migration-probes.js';

export interface AffinityExpirySite {
  /** `namespace/name` of the ClientIP-affinity Service. */
  service: string;
  clusterIP: string;
  port: number;
  timeoutSeconds: number;
  /** How long past the timeout the second read and request wait. */
  marginSeconds: number;
}

export interface AffinityExpiryReading {
  node: string;
  /** What the node's kube-proxy reported on /proxyMode. */
  mode: string;
  site: AffinityExpirySite;
  first?: string;
  second?: string;
  /** The kernel's affinity entries for the Service right after the first request, and after the wait. */
  entriesAfterFirst: AffinityEntry[];
  entriesAfterWait: AffinityEntry[];
  /** What the kernel printed, for the report. */
  raw: string;
}

const SECTION = '@@affinity-expiry';

function kernelState(when: string): string[] {
  return [`echo '${SECTION} ipvs ${when}'; ipvsadm -Lnc 2>/dev/null || true`, `echo '${SECTION} nft ${when}'; nft list sets ip 2>/dev/null || true`];
}

export function affinityExpiryScript(s: AffinityExpirySite): string {
  const ask = `${whoamiRequest(s.clusterIP, s.port)} 2>/dev/null | grep -m1 '^Hostname:'`;
  return [
    `echo '${SECTION} first'; ${ask}`,
    ...kernelState('after-first'),
    `sleep ${s.timeoutSeconds + s.marginSeconds}`,
    ...kernelState('after-wait'),
    `echo '${SECTION} second'; ${ask}`,
  ].join('\n') + '\n';
}

/** Reads what affinityExpiryScript printed on `node`. */
export function parseAffinityExpiry(node: string, mode: string, site: AffinityExpirySite, raw: string): AffinityExpiryReading {
  const part = (name: string) => raw.split(`${SECTION} ${name}\n`)[1]?.split(`${SECTION} `)[0] ?? '';
  const entries = (when: string) => [
    ...parseIpvsTemplates(part(`ipvs ${when}`), `${site.clusterIP}:${site.port}`, `ipvsadm -Lnc on ${node}`),
    ...parseNftAffinitySets(part(`nft ${when}`), site.service, `nft list sets ip on ${node}`),
  ];
  const [first] = parseHostnames(part('first'));
  const [second] = parseHostnames(part('second'));
  return { node, mode, site, ...(first && { first }), ...(second && { second }), entriesAfterFirst: entries('after-first'), entriesAfterWait: entries('after-wait'), raw };
}

export async function readAffinityExpiry(node: string, mode: string, exec: Exec, site: AffinityExpirySite): Promise<AffinityExpiryReading> {
  const raw = await runOk(exec, ['bash', '-c', affinityExpiryScript(site)], { timeoutMs: (site.timeoutSeconds + site.marginSeconds + 60) * 1000 });
  return parseAffinityExpiry(node, mode, site, raw);
}
