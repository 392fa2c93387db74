// Two snapshots of the same cluster taken two ways (node agents, docker exec) must hold the same state. What any
// two reads differ in is no part of that state: iptables-save's time stamps and packet counters, nft's counters,
// IPVS connection counts. Everything else is compared byte for byte, file by file.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** A file's text with what changes between any two reads taken out. */
export function stateOf(file: string, text: string): string {
  if (file.endsWith('iptables-save.txt')) return text.split('\n').filter((l) => !l.startsWith('#')).join('\n').replace(/\[\d+:\d+\]/g, '[0:0]');
  if (file.endsWith('nft-ruleset.txt')) return text.replace(/counter packets \d+ bytes \d+/g, 'counter');
  if (file.endsWith('proc-net-ip_vs.txt') || file.endsWith('ipvsadm.txt')) return text.replace(/^(\s+->.*?)\s+\d+\s+\d+[ \t]*$/gm, '$1');
  return text;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name))).sort();
}

/** One line per file that is in one snapshot only, or whose state differs (with its first differing line). */
export async function snapshotDifferences(a: string, b: string): Promise<string[]> {
  const [inA, inB] = await Promise.all([filesUnder(a), filesUnder(b)]);
  const out = [...inA.filter((f) => !inB.includes(f)).map((f) => `${f}: only in ${a}`), ...inB.filter((f) => !inA.includes(f)).map((f) => `${f}: only in ${b}`)];
  for (const f of inA.filter((x) => inB.includes(x))) {
    const [x, y] = await Promise.all([a, b].map(async (d) => stateOf(f, await readFile(join(d, f), 'utf8')).split('\n')));
    const i = x!.findIndex((line, n) => line !== y![n]);
    const at = i >= 0 ? i : x!.length !== y!.length ? Math.min(x!.length, y!.length) : -1;
    if (at >= 0) out.push(`${f}: line ${at + 1}: ${JSON.stringify(x![at] ?? '(end)')} ≠ ${JSON.stringify(y![at] ?? '(end)')}`);
  }
  return out;
}
