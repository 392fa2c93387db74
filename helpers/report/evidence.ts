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
