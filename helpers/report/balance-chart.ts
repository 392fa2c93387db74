// The balance probe as a picture: one bar per ready endpoint (a silent one shows as 0) and a red bar for the
// connections that got no answer, from the round-robin verdict's own tally.
import type { Verdict } from '../claims/types.js';
import { tallyMap } from '../compare/compare.js';
import { NO_ANSWER } from '../parsers/whoami.js';
import type { TrafficJson } from '../snapshot/model.js';
import { barChart, type Bar } from './svg.js';

const NO_ANSWER_COLOR = '#c62828';

export function balanceBars(counts: Record<string, number>): Bar[] {
  const answered = Object.entries(counts).filter(([name]) => name !== NO_ANSWER).map(([label, value]) => ({ label, value }));
  const silent = counts[NO_ANSWER] ?? 0;
  return [...answered, ...(silent > 0 ? [{ label: 'no answer', value: silent, color: NO_ANSWER_COLOR }] : [])];
}

/** The chart for a snapshot's balance probe, with the verdict's message beneath it. */
export function balanceChart(traffic: TrafficJson, verdict: Verdict): string {
  const counts = (verdict.evidence.counts as Record<string, number> | undefined) ?? Object.fromEntries(tallyMap(traffic.responses));
  return barChart(`${traffic.responses.length} new connections from ${traffic.clientPod} to ${traffic.clusterIP}:${traffic.port}`, balanceBars(counts), `${verdict.status.toUpperCase()}: ${verdict.message}`);
}
