import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ParseError } from '../parsers/parse-error.js';
import { parseIpAddrJson, type NetInterface } from '../parsers/ip-addr.js';
import { parseIpsetList, type IpSet } from '../parsers/ipset.js';
import { parseIptablesSave, type IptablesDump } from '../parsers/iptables-save.js';
import { parseIpvsadm, parseProcNetIpVs, type VirtualServer } from '../parsers/ipvs-table.js';
import { parseSysctl } from '../parsers/sysctl.js';
import { InputError } from './input-error.js';
import { chooseIpvsTable, type IpvsChoice } from './ipvs-source.js';
import { NODE_FILES, type ArpProbe, type ClusterJson, type NodeFileKey, type ProbeResult, type StreamsJson, type TrafficJson } from './model.js';
import { validateArpJson, validateClusterJson, validateProbesJson, validateStreamsJson, validateTrafficJson } from './validate.js';
import type { NodeFiles } from './write.js';

export interface NodeObservation {
  name: string;
  interfaces: Map<string, NetInterface>;
  ipvs: VirtualServer[];
  /** Which file the IPVS table came from, for evidence and messages; undefined when the node has none. */
  ipvsFile?: string;
  /** Why /proc/net/ip_vs was set aside for ipvsadm's view, when they disagree (helpers/snapshot/ipvs-source.ts). */
  ipvsNote?: string;
  /** What kube-proxy answered on /proxyMode when the snapshot was taken (absent: not asked, or no answer). */
  proxyMode?: string;
  ipsets: Map<string, IpSet>;
  iptables: IptablesDump;
  sysctl: Map<string, string>;
  /** The nftables tables (`ip kube-proxy`, …) of nft-ruleset.txt; undefined when the snapshot has none. */
  nftTables?: string[];
}

export interface Snapshot {
  dir: string;
  cluster: ClusterJson;
  nodes: NodeObservation[];
  traffic?: TrafficJson;
  arp?: ArpProbe[];
  /** The migration probes' results (formatVersion 3, optional). */
  probes?: ProbeResult[];
  /** Long-lived streams held across a migration (formatVersion 5, optional). */
  streams?: StreamsJson;
}

/** A baseline only needs what the rule-count claim reads. */
export interface BaselineSnapshot {
  dir: string;
  cluster: ClusterJson;
  iptables: Map<string, IptablesDump>;
}

export async function readSnapshot(dir: string): Promise<Snapshot> {
  const cluster = await readClusterJson(dir);
  const nodes = await Promise.all(cluster.nodes.map((n) => readNode(dir, n.name, cluster.proxyMode)));
  const traffic = await readOptionalJson(join(dir, 'traffic.json'), validateTrafficJson);
  const arp = await readOptionalJson(join(dir, 'arp.json'), validateArpJson);
  const probes = await readOptionalJson(join(dir, 'probes.json'), validateProbesJson);
  const streams = await readOptionalJson(join(dir, 'streams.json'), validateStreamsJson);
  return { dir, cluster, nodes, ...(traffic && { traffic }), ...(arp && { arp }), ...(probes && { probes }), ...(streams && { streams }) };
}

export async function readBaseline(dir: string): Promise<BaselineSnapshot> {
  const cluster = await readClusterJson(dir);
  if (cluster.proxyMode !== 'iptables') {
    throw new InputError(`${join(dir, 'cluster.json')}: a baseline must have proxyMode "iptables", got "${cluster.proxyMode}"`);
  }
  const iptables = new Map<string, IptablesDump>();
  for (const n of cluster.nodes) {
    const file = nodeFile(dir, n.name, NODE_FILES.iptablesSave);
    iptables.set(n.name, parseFile(file, await readRequired(file), parseIptablesSave));
  }
  return { dir, cluster, iptables };
}

async function readClusterJson(dir: string): Promise<ClusterJson> {
  if (!(await isDir(dir))) throw new InputError(`${dir}: not a snapshot directory (it does not exist or is not a directory)`);
  const file = join(dir, 'cluster.json');
  return validateClusterJson(parseJson(file, await readRequired(file)), file);
}

async function readNode(dir: string, name: string, mode: ClusterJson['proxyMode']): Promise<NodeObservation> {
  const path = (f: string) => nodeFile(dir, name, f);
  const [ipAddr, proc, ipvsadm, ipset, iptables, sysctl, proxyMode, nft] = await Promise.all([
    readRequired(path(NODE_FILES.ipAddr)),
    readOptional(path(NODE_FILES.procIpvs)),
    readOptional(path(NODE_FILES.ipvsadm)),
    readRequired(path(NODE_FILES.ipset)),
    readRequired(path(NODE_FILES.iptablesSave)),
    readRequired(path(NODE_FILES.sysctl)),
    readOptional(path(NODE_FILES.proxyMode)),
    readOptional(path(NODE_FILES.nftRuleset)),
  ]);
  return {
    name,
    interfaces: parseFile(path(NODE_FILES.ipAddr), ipAddr, parseIpAddrJson),
    ...ipvsTable(path, proc, ipvsadm),
    ...(proxyMode !== undefined && { proxyMode: proxyMode.trim() }),
    ipsets: parseFile(path(NODE_FILES.ipset), ipset, parseIpsetList),
    iptables: nftablesNodeWithoutIptables(mode, iptables) ? { chains: new Map(), rules: [] } : parseFile(path(NODE_FILES.iptablesSave), iptables, parseIptablesSave),
    sysctl: parseFile(path(NODE_FILES.sysctl), sysctl, parseSysctl),
    ...(nft !== undefined && { nftTables: nftTables(nft) }),
  };
}

/** The tables `nft list ruleset` printed (`ip kube-proxy`, …); only their names are read, so no ruleset is refused. */
function nftTables(text: string): string[] {
  return [...text.matchAll(/^table (\S+ \S+) \{$/gm)].map((m) => m[1]!);
}

/** kube-proxy in nftables mode writes no iptables rules: there, and only there, empty iptables-save output is real. */
function nftablesNodeWithoutIptables(mode: ClusterJson['proxyMode'], text: string): boolean {
  return mode === 'nftables' && text.trim() === '';
}

/**
 * Both views are validated when present, so an unusable file is reported even beside a good one; which one is
 * judged is chooseIpvsTable's call. A node with neither has no IPVS table at all: the claims judge that.
 */
function ipvsTable(path: (f: string) => string, proc?: string, ipvsadm?: string): IpvsChoice {
  const source = (file: string, text: string | undefined, parse: (t: string, s: string) => VirtualServer[]) =>
    text === undefined ? undefined : { file: path(file), text, table: parseFile(path(file), text, parse) };
  return chooseIpvsTable(source(NODE_FILES.procIpvs, proc, parseProcNetIpVs), source(NODE_FILES.ipvsadm, ipvsadm, parseIpvsadm));
}

export function nodeFile(dir: string, node: string, file: string): string {
  return join(dir, 'nodes', node, file);
}

/** Runs a parser with the file's path as its source, turning its ParseError into an InputError. */
function parseFile<T>(file: string, text: string, parse: (text: string, source: string) => T): T {
  try {
    return parse(text, file);
  } catch (e) {
    if (e instanceof ParseError) throw new InputError(e.message);
    throw e;
  }
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file}: malformed JSON (${jsonErrorWhere(text, (e as Error).message)})`);
  }
}

/** Node's JSON errors differ by version and may span lines: report one line with line and column. */
export function jsonErrorWhere(text: string, message: string): string {
  const pos = /position (\d+)/.exec(message);
  const first = message.split('\n')[0]!.replace(/ in JSON at position \d+.*$/, '').replace(/, ".*$/, '');
  if (!pos) return first;
  const before = text.slice(0, Number(pos[1]));
  const line = before.split('\n').length;
  return `${first} at line ${line}, column ${Number(pos[1]) - before.lastIndexOf('\n')}`;
}

async function readOptionalJson<T>(file: string, validate: (v: unknown, file: string) => T): Promise<T | undefined> {
  const text = await readOptional(file);
  return text === undefined ? undefined : validate(parseJson(file, text), file);
}

async function readRequired(file: string): Promise<string> {
  const text = await readOptional(file);
  if (text === undefined) throw new InputError(`${file}: missing`);
  return text;
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    // A leading UTF-8 byte-order mark (editors on some systems add one) is not content.
    return (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InputError(`${file}: cannot read (${(e as Error).message})`);
  }
}

async function isDir(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

/** The raw files of every node in a snapshot, unparsed: for attaching as evidence. */
export async function readRawNodeFiles(dir: string): Promise<Map<string, NodeFiles>> {
  const cluster = await readClusterJson(dir);
  const out = new Map<string, NodeFiles>();
  for (const n of cluster.nodes) {
    const files: NodeFiles = {};
    for (const [key, name] of Object.entries(NODE_FILES) as [NodeFileKey, string][]) {
      const text = await readOptional(nodeFile(dir, n.name, name));
      if (text !== undefined) files[key] = text;
    }
    out.set(n.name, files);
  }
  return out;
}
