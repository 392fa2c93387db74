import { fewerIptablesRules } from './fewer-iptables-rules-than-iptables-mode.js';
import { ipsetReplacesPerServiceRules } from './ipset-replaces-per-service-rules.js';
import { ipvsRrBalanced } from './ipvs-rr-balanced.js';
import { ipvsServicesMatchEndpoints } from './ipvs-services-match-endpoints.js';
import { kubeIpvs0HoldsClusterIPs } from './kube-ipvs0-holds-clusterips.js';
import { strictArp } from './strict-arp.js';
import type { Snapshot } from '../snapshot/read.js';
import { judge, type Claim, type ClaimInput, type Verdict } from './types.js';

export type { Claim, ClaimId, ClaimInput, Verdict } from './types.js';

/** Every claim, in the order the README and reports list them. */
export const CLAIMS: readonly Claim[] = [
  kubeIpvs0HoldsClusterIPs,
  ipvsServicesMatchEndpoints,
  ipvsRrBalanced,
  strictArp,
  ipsetReplacesPerServiceRules,
  fewerIptablesRules,
].map(inIpvsModeOnly);

/**
 * Why kube-proxy is not in IPVS mode, if it is not: the configured mode (cluster.json) and what each node's
 * kube-proxy answers on /proxyMode. A snapshot of another mode is a valid snapshot of a non-conforming cluster.
 */
export function proxyModeFailures(snapshot: Snapshot): string[] {
  const failures: string[] = [];
  if (snapshot.cluster.proxyMode !== 'ipvs') failures.push(`kube-proxy runs in ${snapshot.cluster.proxyMode} mode (cluster.json proxyMode), not ipvs`);
  for (const n of snapshot.nodes) {
    if (n.proxyMode !== undefined && n.proxyMode !== 'ipvs') failures.push(`${n.name}: kube-proxy answers /proxyMode with "${n.proxyMode}", not ipvs`);
  }
  return failures;
}

/** Every claim is about IPVS mode: in another mode it fails, leading with the mode, whatever else it found. */
function inIpvsModeOnly(claim: Claim): Claim {
  return {
    ...claim,
    evaluate(input) {
      const verdict = claim.evaluate(input);
      const wrongMode = proxyModeFailures(input.snapshot);
      if (wrongMode.length === 0) return verdict;
      // Stryker disable next-line ArrayDeclaration: equivalent, every failing verdict (judge()) carries its failures.
      const found = verdict.status === 'fail' ? (verdict.failures ?? [{ message: verdict.message }]) : [];
      return judge(claim.id, [...wrongMode.map((message) => ({ message, object: 'proxy mode', expected: 'ipvs' })), ...found], '', verdict.evidence);
    },
  };
}

export function evaluateAll(input: ClaimInput): Verdict[] {
  return CLAIMS.map((c) => c.evaluate(input));
}
