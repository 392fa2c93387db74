import { ParseError } from './parse-error.js';

/** Reads the reply count from iputils or busybox `arping` output ("Received N response(s)"). */
export function parseArpingReplies(text: string, source = 'arping'): number {
  const m = /Received (\d+) (?:response|repl)/.exec(text);
  if (!m) throw new ParseError(source, `has no "Received N response(s)" line: ${JSON.stringify(text.slice(0, 120))}`);
  return Number(m[1]);
}
