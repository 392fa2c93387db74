import type { BaselineSnapshot, Snapshot } from '../snapshot/read.js';

export type ClaimId =
  | 'kube-ipvs0-holds-clusterips'
  | 'ipvs-services-match-endpoints'
  | 'ipvs-rr-balanced'
  | 'strict-arp'
  | 'ipset-replaces-per-service-rules'
  | 'fewer-iptables-rules-than-iptables-mode';

export type Status = 'pass' | 'fail' | 'skip';

export interface Verdict {
  id: ClaimId;
  status: Status;
  message: string;
  /** What was checked, per node where that applies; attached to reports as JSON. */
  evidence: Record<string, unknown>;
}

export interface ClaimInput {
  snapshot: Snapshot;
  baseline?: BaselineSnapshot;
}

export interface Claim {
  id: ClaimId;
  title: string;
  /** The seed lab's manual commands this claim automates, for the README and the report. */
  seedCommands: string[];
  evaluate(input: ClaimInput): Verdict;
}

const MAX_LISTED = 5;

/** A verdict from a list of violations: pass when empty, otherwise fail naming the first few. */
export function judge(id: ClaimId, failures: string[], passMessage: string, evidence: Record<string, unknown>): Verdict {
  if (failures.length === 0) return { id, status: 'pass', message: passMessage, evidence };
  const more = failures.length > MAX_LISTED ? ` (+${failures.length - MAX_LISTED} more)` : '';
  return {
    id,
    status: 'fail',
    message: failures.slice(0, MAX_LISTED).join('; ') + more,
    evidence: { ...evidence, failures },
  };
}

export function skip(id: ClaimId, reason: string): Verdict {
  return { id, status: 'skip', message: reason, evidence: {} };
}
