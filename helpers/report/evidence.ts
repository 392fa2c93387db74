import { CLAIMS } from '../claims/index.js';
import type { ClaimId } from '../claims/types.js';
import { NODE_FILES, type NodeFileKey } from '../snapshot/model.js';
import type { NodeFiles } from '../snapshot/write.js';

/**
 * The raw node outputs shown next to each claim's verdict: those it judges, and for the balance claim (which
 * judges traffic.json) the IPVS tables whose counters show where the probe's connections went.
 */
export const CLAIM_EVIDENCE: Record<ClaimId, NodeFileKey[]> = {
  'kube-ipvs0-holds-clusterips': ['ipAddr'],
  'ipvs-services-match-endpoints': ['procIpvs', 'ipvsadm'],
  'ipvs-rr-balanced': ['procIpvs', 'ipvsadm'],
  'strict-arp': ['sysctl'],
  'ipset-replaces-per-service-rules': ['ipset', 'iptablesSave'],
  'fewer-iptables-rules-than-iptables-mode': ['iptablesSave'],
};

export interface EvidenceFile {
  name: string;
  body: string;
  contentType: string;
}

/** One attachment per node and file, named like the snapshot path so a reader can find it on disk too. */
export function evidenceFiles(claim: ClaimId, nodes: Map<string, NodeFiles>, prefix = ''): EvidenceFile[] {
  return [...nodes].flatMap(([node, files]) =>
    CLAIM_EVIDENCE[claim]
      .filter((key) => files[key] !== undefined)
      .map((key) => ({
        name: `${prefix}nodes/${node}/${NODE_FILES[key]}`,
        body: files[key]!,
        contentType: key === 'ipAddr' ? 'application/json' : 'text/plain',
      })),
  );
}

export interface ClaimEvidence {
  claim: ClaimId;
  /** The files this claim is the first to use, named `<claim>/<snapshot path>`. */
  files: EvidenceFile[];
  /** Files this claim also judged, already attached under an earlier claim (named as attached). */
  shared: string[];
}

/**
 * Each raw file once per test, under the first claim (in the order given) that used it; `attached` carries the
 * names already attached by this test across calls.
 */
export function evidenceByClaim(claims: ClaimId[], nodes: Map<string, NodeFiles>, attached = new Map<string, string>(), prefix = ''): ClaimEvidence[] {
  return claims.map((claim) => {
    const files: EvidenceFile[] = [];
    const shared: string[] = [];
    for (const f of evidenceFiles(claim, nodes, prefix)) {
      const earlier = attached.get(f.name);
      if (earlier) shared.push(earlier);
      else {
        const named = { ...f, name: `${claim}/${f.name}` };
        attached.set(f.name, named.name);
        files.push(named);
      }
    }
    return { claim, files, shared };
  });
}

/** Every claim, the failing ones first (in the order given), so the files they judged sit under them. */
export function failingFirst(failing: readonly ClaimId[]): ClaimId[] {
  return [...failing, ...CLAIMS.map((c) => c.id).filter((id) => !failing.includes(id))];
}
