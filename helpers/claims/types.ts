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
  /** Every violation as data, none left out (the message lists only the first few). */
  failures?: Failure[];
}

/** One violation: where it is, what it concerns, what was expected and what was seen, and the sentence for people. */
export interface Failure {
  claim: ClaimId;
  message: string;
  node?: string;
  /** What the violation concerns: a virtual server, an ipset, an interface, a sysctl, the config, a probe. */
  object?: string;
  address?: string;
  expected?: string;
  seen?: string;
}

/** A violation's fields; the claim is filled in by judge(). */
export type Finding = Omit<Failure, 'claim'>;

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

/**
 * A verdict from a list of violations: pass when empty, otherwise fail naming the first few in the message and
 * all of them in `failures` (data) and `evidence.failures` (sentences). A bare string is a finding of its message.
 */
export function judge(id: ClaimId, found: (string | Finding)[], passMessage: string, evidence: Record<string, unknown>): Verdict {
  if (found.length === 0) return { id, status: 'pass', message: passMessage, evidence };
  const failures = found.map((f): Failure => ({ claim: id, ...(typeof f === 'string' ? { message: f } : f) }));
  const messages = failures.map((f) => f.message);
  const more = messages.length > MAX_LISTED ? ` (+${messages.length - MAX_LISTED} more)` : '';
  return {
    id,
    status: 'fail',
    message: messages.slice(0, MAX_LISTED).join('; ') + more,
    evidence: { ...evidence, failures: messages },
    failures,
  };
}

export function skip(id: ClaimId, reason: string): Verdict {
  return { id, status: 'skip', message: reason, evidence: {} };
}
