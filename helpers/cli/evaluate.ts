import { evaluateAll, type Verdict } from '../claims/index.js';
import { readBaseline, readSnapshot } from '../snapshot/read.js';

export interface EvaluateResult {
  verdicts: Verdict[];
  exitCode: 0 | 1;
}

/** Judges a snapshot directory (and an optional iptables-mode baseline) with all six claims. */
export async function evaluateSnapshot(dir: string, baselineDir?: string): Promise<EvaluateResult> {
  const [snapshot, baseline] = await Promise.all([readSnapshot(dir), baselineDir ? readBaseline(baselineDir) : undefined]);
  const verdicts = evaluateAll({ snapshot, ...(baseline && { baseline }) });
  return { verdicts, exitCode: verdicts.some((v) => v.status === 'fail') ? 1 : 0 };
}

export function formatVerdictLine(v: Verdict): string {
  return `${v.status.toUpperCase().padEnd(4)}  ${v.id}: ${v.message}`;
}

/** The text report's last line, e.g. `4 passed, 0 failed, 2 skipped`. */
export function summaryLine(verdicts: Verdict[]): string {
  const n = (s: Verdict['status']) => verdicts.filter((v) => v.status === s).length;
  return `${n('pass')} passed, ${n('fail')} failed, ${n('skip')} skipped`;
}

export function verdictsJson(verdicts: Verdict[]): string {
  // A failing claim carries every failure as data (claim, node, object, address, expected, seen, message).
  return JSON.stringify({ claims: verdicts.map(({ id, status, message, failures }) => ({ id, status, message, ...(failures && { failures }) })) });
}
