import { ParseError, nonEmptyLines } from './parse-error.js';

export interface IptablesRule {
  table: string;
  chain: string;
  /** Tokens after `-A <chain>`, quotes removed. */
  tokens: string[];
  /** The `-j`/`-g` target, if any. */
  target?: string;
  /** Names after every `--match-set`. */
  matchSets: string[];
  /** The `-d` value when not negated, e.g. `10.200.1.1/32`. */
  destination?: string;
}

export interface IptablesDump {
  /** table → chain names declared with `:CHAIN POLICY [p:b]` or used by `-A`. */
  chains: Map<string, Set<string>>;
  rules: IptablesRule[];
}

/** Splits a rule line into tokens, honouring double quotes as iptables-save writes them. */
export function tokenize(line: string): string[] {
  const tokens: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) tokens.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!);
  return tokens;
}

/** Parses `iptables-save` output (any tables). Matching is on tokens, since iptables-save reorders arguments. */
export function parseIptablesSave(text: string, source = 'iptables-save'): IptablesDump {
  const dump: IptablesDump = { chains: new Map(), rules: [] };
  let table: string | undefined;
  let open: { table: string; line: number } | undefined;
  const unterminated = (t: { table: string; line: number }) =>
    new ParseError(source, `table *${t.table} (line ${t.line}) does not end in COMMIT; truncated iptables-save output?`);
  nonEmptyLines(text, source, 'iptables-save output').forEach((line, i) => {
    if (line === '' || line.startsWith('#')) return;
    if (line === 'COMMIT') {
      if (!open) throw new ParseError(source, `line ${i + 1}: COMMIT outside a table`);
      open = undefined;
      return;
    }
    if (line.startsWith('*')) {
      if (open) throw unterminated(open);
      table = line.slice(1).trim();
      open = { table, line: i + 1 };
      if (!dump.chains.has(table)) dump.chains.set(table, new Set());
      return;
    }
    if (!line.startsWith('-') && !line.startsWith(':')) {
      throw new ParseError(source, `line ${i + 1}: not iptables-save syntax: ${JSON.stringify(line.slice(0, 60))}`);
    }
    if (!table || !open) throw new ParseError(source, `line ${i + 1}: rule or chain outside a "*table" … COMMIT block`);
    const chains = dump.chains.get(table)!;
    if (line.startsWith(':')) {
      // Stryker disable next-line Regex: equivalent, the first token is the same whether one or several spaces follow.
      chains.add(line.slice(1).split(/\s+/)[0]!);
      // Stryker disable next-line ConditionalExpression: equivalent on iptables-save output, whose only '-' lines are -A.
    } else if (line.startsWith('-A ')) {
      const rule = parseRule(table, tokenize(line));
      chains.add(rule.chain);
      dump.rules.push(rule);
    }
  });
  if (dump.chains.size === 0) throw new ParseError(source, 'holds no "*table" line; not iptables-save output');
  if (open) throw unterminated(open);
  return dump;
}

function parseRule(table: string, all: string[]): IptablesRule {
  const tokens = all.slice(2);
  // Stryker disable next-line StringLiteral: equivalent, a rule line always names its chain after -A.
  const rule: IptablesRule = { table, chain: all[1] ?? '', tokens, matchSets: [] };
  tokens.forEach((t, i) => {
    const next = tokens[i + 1];
    if ((t === '-j' || t === '-g') && next) rule.target = next;
    else if (t === '--match-set' && next) rule.matchSets.push(next);
    else if (t === '-d' && next && tokens[i - 1] !== '!') rule.destination = next;
  });
  return rule;
}
