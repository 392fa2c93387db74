// Unusable snapshots: each category the format promises is checked, and fails with exit 2 and one line that
// names the file, never a stack trace, a raw control byte or exit 3. Cases start from a real lab snapshot.
import { expect, test } from '@playwright/test';
import { execa } from 'execa';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { evaluateSnapshot } from '../../helpers/cli/evaluate.js';
import { InputError } from '../../helpers/snapshot/input-error.js';
import { LAST_NODE, writeKit } from './snapshot-kit.js';

const CLI = join(import.meta.dirname, '..', '..', 'bin', 'ipvs-conformance');

// The edits below reach into parsed JSON by hand, as a user editing the file would: typed as `any` on purpose.
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Case {
  name: string;
  /** Edits the written snapshot in place: `file` relative to the snapshot, `edit` of its text. */
  file: string;
  edit: (text: string) => string;
  error: RegExp;
}

const json = (f: (o: Json) => void) => (text: string) => {
  const o = JSON.parse(text) as Json;
  f(o);
  return JSON.stringify(o);
};
const node = (f: string) => `nodes/${LAST_NODE}/${f}`;

const CASES: Case[] = [
  { name: 'service port 0', file: 'cluster.json', edit: json((c) => (c.services[1].ports[0].port = 0)), error: /cluster\.json: services\[1\]\.ports\[0\]: needs .*a port from 1 to 65535/ },
  { name: 'endpoint port 70000', file: 'cluster.json', edit: json((c) => (c.services[1].ports[0].endpoints[0].port = 70000)), error: /endpoints\[0\]: needs an IP address, a port from 1 to 65535/ },
  { name: 'a ClusterIP that is no IP', file: 'cluster.json', edit: json((c) => (c.services[1].clusterIPs = ['banana'])), error: /services\[1\]\.clusterIPs\[0\] is not an IP address or "None": "banana"/ },
  { name: 'an endpoint IP that is no IP', file: 'cluster.json', edit: json((c) => (c.services[1].ports[0].endpoints[0].ip = '10.10.1')), error: /endpoints\[0\]: needs an IP address/ },
  { name: 'a node listed twice', file: 'cluster.json', edit: json((c) => c.nodes.push(c.nodes[1])), error: /cluster\.json: nodes\[4\]: node "myk8s-worker" is listed twice/ },
  { name: 'a node name that is a path', file: 'cluster.json', edit: json((c) => (c.nodes[0].name = '../../etc')), error: /nodes\[0\]\.name must be a node name usable as a directory name/ },
  { name: 'a node IP that is no IP', file: 'cluster.json', edit: json((c) => (c.nodes[0].internalIP = '172.18.0')), error: /nodes\[0\]\.internalIP is not an IP address/ },
  { name: 'a negative weight', file: node('proc-net-ip_vs.txt'), edit: (t) => t.replace(/(-> \S+ +Masq +)1/, '$1-1'), error: /proc-net-ip_vs\.txt: line \d+: not a real server line/ },
  { name: 'a fractional weight', file: node('proc-net-ip_vs.txt'), edit: (t) => t.replace(/(-> \S+ +Masq +)1/, '$11.5'), error: /proc-net-ip_vs\.txt: line \d+: not a real server line/ },
  { name: 'iptables-save cut before COMMIT', file: node('iptables-save.txt'), edit: (t) => t.slice(0, t.lastIndexOf('COMMIT')), error: /iptables-save\.txt: table \*nat \(line \d+\) does not end in COMMIT/ },
  { name: '/proc/net/ip_vs without its header lines', file: node('proc-net-ip_vs.txt'), edit: (t) => t.split('\n').filter((_, i) => i !== 1 && i !== 2).join('\n'), error: /proc-net-ip_vs\.txt: lacks the header lines/ },
  {
    name: 'ipvsadm --stats instead of -Ln',
    file: node('ipvsadm.txt'),
    edit: () => 'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n  -> RemoteAddress:Port\nTCP  10.200.1.245:9000                   5       30       20     2000     1000\n',
    error: /ipvsadm\.txt: is ipvsadm --stats or --rate output; expected ipvsadm -Ln/,
  },
  { name: 'an ipset whose entry count disagrees', file: node('ipset.txt'), edit: (t) => t.replace('10.200.1.245,tcp:9000\n', ''), error: /ipset\.txt: set KUBE-CLUSTER-IP says "Number of entries: 21" but lists 20 members/ },
  { name: 'a sysctl key twice with different values', file: node('sysctl.txt'), edit: (t) => t + 'net.ipv4.conf.all.arp_ignore = 0\n', error: /sysctl\.txt: line 3: net\.ipv4\.conf\.all\.arp_ignore is 1 earlier and 0 here/ },
  { name: 'traffic.json without clientNode', file: 'traffic.json', edit: json((t) => delete t.clientNode), error: /traffic\.json: "clientNode" must be a string/ },
  { name: 'traffic.json with port 0', file: 'traffic.json', edit: json((t) => (t.port = 0)), error: /traffic\.json: "port" must be a port from 1 to 65535/ },
  { name: 'arp.json with negative replies', file: 'arp.json', edit: json((a) => (a[0].replies = -1)), error: /arp\.json: \[0\] needs from, .* replies ≥ 0/ },
  { name: 'arp.json without "from"', file: 'arp.json', edit: json((a) => delete a[1].from), error: /arp\.json: \[1\] needs from/ },
  { name: 'addr_info [null]', file: node('ip-addr.json'), edit: json((a) => (a[0].addr_info = [null])), error: /ip-addr\.json: lo: addr_info\[0\] needs family, local and an integer prefixlen/ },
  { name: 'a JSON syntax error', file: 'cluster.json', edit: (t) => t.replace('"proxyMode"', '"proxyMode" "'), error: /cluster\.json: malformed JSON \(.+ at line \d+, column \d+\)$/ },
];

async function kitWith(c: Pick<Case, 'file' | 'edit'>): Promise<string> {
  const k = await writeKit(test.info().outputPath('kit'));
  const path = join(k.dir, c.file);
  await writeFile(path, c.edit(await readFile(path, 'utf8')));
  return k.dir;
}

for (const c of CASES) {
  test(`bad input: ${c.name}`, async () => {
    const dir = await kitWith(c);
    const err = await evaluateSnapshot(dir).then(() => undefined, (e: unknown) => e);
    expect(err, 'an InputError (exit 2), not a verdict and not an internal error').toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(c.error);
  });
}

const cli = (...args: string[]) => execa(CLI, args, { reject: false });

test('the CLI turns bad input into exit 2 and one escaped line: control bytes never reach the terminal', async () => {
  const dir = await kitWith({ file: node('sysctl.txt'), edit: () => 'net.ipv4.conf.all.arp_ignore = 1\n\u001b[31mred\u0007\n' });
  const r = await cli('evaluate', dir);
  expect(r.exitCode).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toContain('sysctl.txt: line 2: not "key = value"');
  expect(r.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/); // eslint-disable-line no-control-regex
  expect(r.stderr).toMatch(/\\(x1b|u001b)/);
});

test('a JSON error is one line with its position; a leading BOM is not an error', async () => {
  const bad = await kitWith(CASES.find((c) => c.name === 'a JSON syntax error')!);
  const r = await cli('evaluate', bad);
  expect(r.exitCode).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  const bom = await kitWith({ file: 'cluster.json', edit: (t) => `\uFEFF${t}` });
  expect((await cli('evaluate', bom)).exitCode).toBe(0);
});

test('no arguments: usage on stderr, exit 2', async () => {
  const r = await cli();
  expect(r.exitCode).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toContain('ipvs-conformance evaluate <snapshot-dir>');
});

test('truncated node files never reach exit 3: each is judged or rejected as bad input', async () => {
  const k = await writeKit(test.info().outputPath('kit'));
  const files = ['ip-addr.json', 'proc-net-ip_vs.txt', 'ipvsadm.txt', 'ipset.txt', 'iptables-save.txt', 'sysctl.txt', 'proxy-mode.txt'];
  for (const f of files) {
    const path = join(k.dir, node(f));
    const original = await readFile(path, 'utf8');
    for (const cut of [1, 0.5, 0.9].map((x) => Math.floor(original.length * x) - (x === 1 ? 1 : 0))) {
      await writeFile(path, original.slice(0, cut));
      const err = await evaluateSnapshot(k.dir).then(() => undefined, (e: unknown) => e);
      expect(err === undefined || err instanceof InputError, `${f} cut at ${cut}: ${String(err)}`).toBe(true);
    }
    await writeFile(path, original);
  }
});
