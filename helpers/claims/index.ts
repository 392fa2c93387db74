import { fewerIptablesRules } from './fewer-iptables-rules-than-iptables-mode.js';
import { ipsetReplacesPerServiceRules } from './ipset-replaces-per-service-rules.js';
import { ipvsRrBalanced } from './ipvs-rr-balanced.js';
import { ipvsServicesMatchEndpoints } from './ipvs-services-match-endpoints.js';
import { kubeIpvs0HoldsClusterIPs } from './kube-ipvs0-holds-clusterips.js';
import { strictArp } from './strict-arp.js';
import type { Claim, ClaimInput, Verdict } from './types.js';

export type { Claim, ClaimId, ClaimInput, Verdict } from './types.js';

/** Every claim, in the order the README and reports list them. */
export const CLAIMS: readonly Claim[] = [
  kubeIpvs0HoldsClusterIPs,
  ipvsServicesMatchEndpoints,
  ipvsRrBalanced,
  strictArp,
  ipsetReplacesPerServiceRules,
  fewerIptablesRules,
];

export function evaluateAll(input: ClaimInput): Verdict[] {
  return CLAIMS.map((c) => c.evaluate(input));
}
