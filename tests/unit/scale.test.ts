// The scale benchmark's pure parts on real outputs: the nft rule counter on nftables-mode kube-proxy's ruleset,
// kube-proxy's rule count per mode on the migration lab's nodes, and its sync-duration metric. Expected counts
// were made independently with awk/grep over the same files (see each test).
import { expect, test } from '@playwright/test';
import { join } from 'node:path';
import { kubeProxyRuleCount, meanSyncMs, parseSyncDuration, programmedScaleServices, scaleServices, scaleTable } from '../../helpers/lab/scale.js';
import { countNftRules } from '../../helpers/parsers/nft.js';
import { readRawNodeFiles } from '../../helpers/snapshot/read.js';
import { sample } from './samples.js';
import { LAB_SNAPSHOTS } from './snapshot-kit.js';

const node = async (snapshot: string) => (await readRawNodeFiles(join(LAB_SNAPSHOTS, snapshot))).get('myk8s-control-plane')!;

test('countNftRules: real nftables-mode ruleset, rules per table (awk over chain bodies: 143 and 22)', async () => {
  const text = (await node('migration-nftables')).nftRuleset!;
  expect(Object.fromEntries(countNftRules(text))).toEqual({ 'ip kube-proxy': 143, 'ip6 kube-proxy': 22 });
});

test('countNftRules: chain headers, comments, sets and maps are no rules; broken output is an error', () => {
  const text = ['table ip t {', '\tset s {', '\t\ttype ipv4_addr', '\t\telements = { 10.0.0.1 }', '\t}', '\tchain c {', '\t\ttype nat hook prerouting priority dstnat; policy accept;', '\t\tcomment "x"', '\t\tip daddr 10.0.0.1 drop', '\t\tjump d', '\t}', '}', 'table inet f {', '}'].join('\n');
  expect(Object.fromEntries(countNftRules(text))).toEqual({ 'ip t': 2, 'inet f': 0 });
  expect(() => countNftRules('table ip t {\n\tchain c {\n\t\tdrop\n', 'nft.txt')).toThrow('nft.txt: table ip t is not closed; truncated nft output?');
  expect(() => countNftRules('Error: no such table', 'nft.txt')).toThrow('nft.txt: line 1: expected "table <family> <name> {"');
  expect(() => countNftRules('', 'nft.txt')).toThrow('nft.txt: is empty');
});

test('kubeProxyRuleCount per mode on the migration lab’s control-plane node', async () => {
  // grep -c '^-A' iptables-save.txt: 30; members of non-inet6 ipsets: 37; IPv4 lines of /proc/net/ip_vs: 19.
  expect(kubeProxyRuleCount('ipvs', await node('migration-ipvs'), 'ipvs')).toEqual({ rules: 86, detail: 'iptables 30 + ipset members 37 + virtual servers 19' });
  expect(kubeProxyRuleCount('nftables', await node('migration-nftables'), 'nft')).toEqual({ rules: 143, detail: 'nft table ip kube-proxy 143' });
  const ipt = await node('migration-iptables');
  const appends = ipt.iptablesSave!.split('\n').filter((l) => l.startsWith('-A ')).length;
  expect(kubeProxyRuleCount('iptables', ipt, 'ipt')).toEqual({ rules: appends, detail: `iptables ${appends}` });
});

test('parseSyncDuration reads the IPv4 histogram of real kube-proxy metrics; meanSyncMs divides the deltas', () => {
  const metrics = sample('kube-proxy-metrics_nftables_lab.txt');
  expect(parseSyncDuration(metrics)).toEqual({ sum: 0.058830019, count: 1 });
  expect(meanSyncMs({ sum: 0.05, count: 1 }, { sum: 0.35, count: 4 })).toEqual({ meanMs: expect.closeTo(100, 9), syncs: 3 });
  expect(meanSyncMs({ sum: 1, count: 2 }, { sum: 1, count: 2 })).toEqual({ meanMs: 0, syncs: 0 });
  expect(() => parseSyncDuration('kubeproxy_sync_proxy_rules_duration_seconds_sum{ip_family="IPv6"} 1\n')).toThrow('no kubeproxy_sync_proxy_rules_duration_seconds_sum for IPv4');
});

test('scaleServices names each step’s new Services and selects the three webpods; scaleTable has a row per point', () => {
  const s = scaleServices(10, 13);
  expect(s.map((x) => x.metadata!.name)).toEqual(['scale-10', 'scale-11', 'scale-12']);
  expect(s[0]!.spec!.selector).toEqual({ app: 'webpod' });
  const table = scaleTable([{ mode: 'ipvs', services: 10, rules: 86, ruleDetail: 'd', syncMeanMs: 12.4, syncs: 3, rssMb: 61.2 }]).split('\n');
  expect(table.at(-1)).toBe('| ipvs | 10 | 86 (d) | 12 ms | 3 | 61 MB |');
});

test('programmedScaleServices counts what a node programmed: names in iptables and nftables rules, ClusterIPs among virtual servers', async () => {
  // The migration lab's svc-extra-1..10, renamed to the benchmark's scale-<i> where names are read.
  const renamed = (text: string | undefined) => text?.replaceAll('default/svc-extra-', 'default/scale-');
  const ipt = await node('migration-iptables');
  expect(programmedScaleServices('iptables', { ...ipt, iptablesSave: renamed(ipt.iptablesSave) }, new Set(), 'ipt')).toBe(10);
  const nft = await node('migration-nftables');
  expect(programmedScaleServices('nftables', { ...nft, nftRuleset: renamed(nft.nftRuleset) }, new Set(), 'nft')).toBe(10);
  expect(programmedScaleServices('nftables', nft, new Set(), 'nft')).toBe(0);
  const extras = new Set(Array.from({ length: 10 }, (_, i) => `10.200.1.${101 + i}`));
  expect(programmedScaleServices('ipvs', await node('migration-ipvs'), new Set([...extras, '10.200.9.9']), 'ipvs')).toBe(10);
});

test('countNftRules: nested blocks inside a chain, two families of one name, and comments are read as nft prints them', () => {
  const text = [
    'table ip kube-proxy {',
    '\tcomment "rules for kube-proxy"',
    '\tmap m {',
    '\t\ttype ipv4_addr : verdict',
    '\t\telements = { 10.0.0.1 : goto c,',
    '\t\t\t     10.0.0.2 : goto c }',
    '\t}',
    '\tchain c {',
    '\t\ttype filter hook input priority filter; policy accept;',
    '\t\tcomment "a base chain"',
    '\t\tip daddr vmap { 10.0.0.3 : drop }',
    '\t\ttype_is_not_a_header drop',
    '\t\tcounter packets 0 bytes 0 comment "a rule with a comment"',
    '\t}',
    '\tchain d {',
    '\t}',
    '}',
    'table ip6 kube-proxy {',
    '\tchain c {',
    '\t\tdrop',
    '\t}',
    '}',
  ].join('\n');
  expect(Object.fromEntries(countNftRules(text))).toEqual({ 'ip kube-proxy': 3, 'ip6 kube-proxy': 1 });
  expect(() => countNftRules('table ip t {\n}\n}\n', 'extra')).toThrow('extra: line 3: expected "table <family> <name> {", got "}"');
  expect(() => countNftRules('xtable ip t {\n}\n', 'prefix')).toThrow('prefix: line 1: expected "table <family> <name> {"');
  expect(() => countNftRules('table ip t { # open\n}\n', 'suffix')).toThrow('suffix: line 1: expected');
  expect(() => countNftRules(`${'x'.repeat(80)}\n`, 'long')).toThrow(`long: line 1: expected "table <family> <name> {", got "${'x'.repeat(60)}"`);
  expect(() => countNftRules('', 'nft.txt')).toThrow('nft.txt: is empty; expected nft list ruleset output');
});
