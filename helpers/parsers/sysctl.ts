import { ParseError, nonEmptyLines } from './parse-error.js';

/** Parses `sysctl a.b c.d` output (`key = value` lines). */
export function parseSysctl(text: string, source = 'sysctl'): Map<string, string> {
  const out = new Map<string, string>();
  nonEmptyLines(text, source, '"key = value" lines').forEach((line, i) => {
    if (line.trim() === '') return;
    const m = /^\s*([\w.\-/]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m) throw new ParseError(source, `line ${i + 1}: not "key = value": ${JSON.stringify(line.slice(0, 60))}`);
    const before = out.get(m[1]!);
    if (before !== undefined && before !== m[2]) throw new ParseError(source, `line ${i + 1}: ${m[1]} is ${before} earlier and ${m[2]} here`);
    out.set(m[1]!, m[2]!);
  });
  return out;
}
