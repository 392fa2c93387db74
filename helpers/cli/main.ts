// Entry point of bin/ipvs-conformance. Exit codes: 0 no claim failed, 1 a claim failed, 2 unusable input.
import { compareSnapshots } from '../compare/compare.js';
import { migrationJson, migrationText, timelineJson, timelineText } from '../compare/report.js';
import { migrationTimeline } from '../compare/timeline.js';
import { InputError } from '../snapshot/input-error.js';
import { readSnapshot } from '../snapshot/read.js';
import { flagString, parseArgs } from './args.js';
import { evaluateSnapshot, formatVerdictLine, summaryLine, verdictsJson } from './evaluate.js';

export const HELP = `ipvs-conformance: judge kube-proxy IPVS-mode evidence

Usage:
  ipvs-conformance evaluate <snapshot-dir> [--baseline <dir>] [--json]
      Judge a snapshot with the six claims. Prints one line per claim (PASS/FAIL/SKIP),
      or with --json: {"claims":[{"id","status","message"}]} on stdout.
      --baseline <dir>  a snapshot of the same services in iptables mode (proxyMode "iptables");
                        without it, fewer-iptables-rules-than-iptables-mode is skipped.
      Exit: 0 no claim failed, 1 a claim failed, 2 unusable input (named on stderr).

  ipvs-conformance compare <snapshot-a> <snapshot-b> [--json]
      Compare two snapshots of the same Services in different proxy modes (say ipvs, then nftables),
      taken with the migration probes (probes.json). One line per service port and behaviour:
      SAME, DOC (differs as documented, with its source) or FAIL (differs unexpectedly);
      with --json, the whole report. Exit: 0 nothing differs unexpectedly, 1 something does,
      2 unusable input (named on stderr).

  ipvs-conformance compare <before> <stage>... [--timeline] [--json]
      An in-place migration of one cluster, node by node: three or more snapshots (or two with
      --timeline) in the order they were taken. Prints each node's mode per stage (before, mixed,
      after), every probe that differs unexpectedly from the first stage, and for each node that
      switched from ipvs to nftables what the switch left behind against the documented cleanup
      (kube-ipvs0, the IPVS table, virtual servers that were not kube-proxy's, KUBE-* ipsets, the
      IPVS chains, kube-proxy's nftables table, the ARP sysctls). FAIL lines fail; ACT lines name
      what to do by hand (a foreign virtual server the cleanup wiped). Exit as for compare.

  ipvs-conformance collect <snapshot-dir> --context <context> [--kubeconfig <file>]
                           [--nodes agents|docker] [--workload] [--requests <n>]
                           [--namespace <ns> --service <name>]
      Write a snapshot of any cluster it is given: Services, EndpointSlices and the kube-proxy
      ConfigMap via the API; each node's state through a node agent (a short-lived privileged
      hostNetwork pod per node, image $IPVS_CONFORMANCE_AGENT_IMAGE, removed on exit, Ctrl-C
      included), or with --nodes docker through docker exec (kind nodes).
      --context is required: the user's current context is never used implicitly.
      Read-only by default. --workload deploys the seed's workload into namespace
      ipvs-conformance-workload, runs the balance and migration probes (traffic.json,
      probes.json) and deletes it. --namespace/--service: the balance probe from an existing net-pod.
      Exit: 0 written, 2 unusable input or a cluster that refuses the agents (named on stderr).

  ipvs-conformance --help

Snapshot layout: see README.md ("Snapshot format").`;

/** One terminal-safe line: control characters (including newlines and escape sequences) are shown escaped. */
function oneSafeLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => (c === '\n' ? ' | ' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command) {
    process.stderr.write(HELP + '\n');
    return 2;
  }
  if (command === '--help' || command === '-h' || command === 'help') return printHelp();
  if (command === 'evaluate') return runEvaluate(rest);
  if (command === 'compare') return runCompare(rest);
  if (command === 'collect') {
    const { runCollect } = await import('./collect.js');
    return runCollect(rest);
  }
  throw new InputError(`unknown command "${command}" (expected evaluate, compare or collect; see --help)`);
}

async function runEvaluate(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['baseline'], ['json', 'help']);
  if (args.flags.has('help')) return printHelp();
  const [dir, extra] = args.positional;
  if (!dir || extra !== undefined) throw new InputError('evaluate takes exactly one <snapshot-dir>');
  const { verdicts, exitCode } = await evaluateSnapshot(dir, flagString(args, 'baseline'));
  const text = [...verdicts.map(formatVerdictLine), summaryLine(verdicts)].join('\n');
  process.stdout.write((args.flags.has('json') ? verdictsJson(verdicts) : text) + '\n');
  return exitCode;
}

async function runCompare(argv: string[]): Promise<number> {
  const args = parseArgs(argv, [], ['json', 'help', 'timeline']);
  if (args.flags.has('help')) return printHelp();
  const [a, b, extra] = args.positional;
  if (!a || !b) throw new InputError('compare takes two snapshot directories (<snapshot-a> <snapshot-b>), or more for a timeline');
  if (extra !== undefined || args.flags.has('timeline')) {
    const timeline = migrationTimeline(await Promise.all(args.positional.map((d) => readSnapshot(d))));
    process.stdout.write((args.flags.has('json') ? timelineJson(timeline) : timelineText(timeline)) + '\n');
    return timeline.ok ? 0 : 1;
  }
  const report = compareSnapshots(...(await Promise.all([readSnapshot(a), readSnapshot(b)])));
  process.stdout.write((args.flags.has('json') ? migrationJson(report) : migrationText(report)) + '\n');
  return report.ok ? 0 : 1;
}

function printHelp(): number {
  process.stdout.write(HELP + '\n');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    // Bad input is one line and exit 2; anything else is a bug, still one line, but says so.
    const msg = e instanceof InputError ? e.message : `internal error: ${e instanceof Error ? e.message : String(e)}`;
    process.stderr.write(`ipvs-conformance: ${oneSafeLine(msg)}\n`);
    process.exitCode = e instanceof InputError ? 2 : 3;
  },
);
