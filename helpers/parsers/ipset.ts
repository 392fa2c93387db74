import { ParseError, nonEmptyLines } from './parse-error.js';

export interface IpSet {
  name: string;
  type: string;
  header: string;
  /** Each member's element, e.g. `10.200.1.10,udp:53` (options such as `timeout 30` are dropped). */
  members: Set<string>;
}

/**
 * Parses `ipset list` (all sets, blank-line separated). Empty output is real: a node whose kube-proxy never ran
 * in IPVS mode (an iptables-mode node) has no sets at all, and `ipset list` then prints nothing.
 */
export function parseIpsetList(text: string, source = 'ipset list'): Map<string, IpSet> {
  const sets = new Map<string, IpSet>();
  const counts = new Map<string, number>();
  if (text === '') return sets;
  let current: IpSet | undefined;
  // Stryker disable next-line BooleanLiteral: equivalent, the first line must be "Name:", which resets it.
  let inMembers = false;
  nonEmptyLines(text, source, 'ipset list output').forEach((line, i) => {
    if (line.startsWith('Name: ')) {
      current = { name: line.slice(6).trim(), type: '', header: '', members: new Set() };
      sets.set(current.name, current);
      inMembers = false;
      return;
    }
    if (line.trim() === '') {
      inMembers = false;
      return;
    }
    if (!current) throw new ParseError(source, `line ${i + 1}: expected "Name: <set>", got ${JSON.stringify(line.slice(0, 60))}`);
    if (inMembers) current.members.add(/^\S+/.exec(line.trim())![0]);
    else if (line.startsWith('Type: ')) current.type = line.slice(6).trim();
    else if (line.startsWith('Header: ')) current.header = line.slice(8).trim();
    else if (line.startsWith('Number of entries: ')) counts.set(current.name, Number(line.slice(19).trim()));
    else if (line.trim() === 'Members:') inMembers = true;
  });
  if (sets.size === 0) throw new ParseError(source, 'holds no "Name:" line; not ipset list output');
  for (const s of sets.values()) {
    if (!s.type) throw new ParseError(source, `set ${s.name} has no "Type:" line`);
    const count = counts.get(s.name);
    if (count !== undefined && count !== s.members.size) throw new ParseError(source, `set ${s.name} says "Number of entries: ${count}" but lists ${s.members.size} members (truncated output?)`);
  }
  return sets;
}
