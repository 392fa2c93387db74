// Counts the rules in `nft list ruleset` output: the statements inside chain blocks. A chain's own header
// (`type nat hook prerouting priority ...; policy accept;`) and its comment are no rules, nor are set and map
// elements. Only the named tables count, so IPv4 can be compared with IPv4 iptables rules.
import { nonEmptyLines, ParseError } from './parse-error.js';

/** Rules per table (`ip kube-proxy`, `ip6 kube-proxy`, ...). */
export function countNftRules(text: string, source = 'nft list ruleset'): Map<string, number> {
  const counts = new Map<string, number>();
  let table: string | undefined;
  let inChain = false;
  let depth = 0;
  nonEmptyLines(text, source, 'nft list ruleset output').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const opened = /^table (\S+ \S+) \{$/.exec(line);
    if (depth === 0) {
      if (!opened) throw new ParseError(source, `line ${i + 1}: expected "table <family> <name> {", got ${JSON.stringify(line.slice(0, 60))}`);
      table = opened[1]!;
      counts.set(table, counts.get(table) ?? 0);
      depth = 1;
      return;
    }
    if (line.endsWith('{')) {
      depth++;
      inChain = depth === 2 && line.startsWith('chain ');
      return;
    }
    if (line === '}') {
      depth--;
      inChain = inChain && depth === 2;
      return;
    }
    if (inChain && depth === 2 && !/^(type \S+ hook |comment ")/.test(line)) counts.set(table!, counts.get(table!)! + 1);
  });
  if (depth !== 0) throw new ParseError(source, `table ${table ?? ''} is not closed; truncated nft output?`);
  return counts;
}
