// bin/ipvs-conformance as a user runs it: exit codes 0/1/2, --json, and one-line errors without stack traces.
import { expect, test } from '@playwright/test';
import { execa } from 'execa';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LAST_NODE, writeKit } from './snapshot-kit.js';

const CLI = join(import.meta.dirname, '..', '..', 'bin', 'ipvs-conformance');
const cli = (...args: string[]) => execa(CLI, args, { reject: false });

function expectOneLineError(r: { exitCode?: number; stderr: string; stdout: string }, pattern: RegExp): void {
  expect(r.exitCode).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

test('evaluate: all claims pass → exit 0, one line per claim', async () => {
  const k = await writeKit(test.info().outputPath('kit'));
  const r = await cli('evaluate', k.dir, '--baseline', k.baseline);
  expect(r.exitCode).toBe(0);
  const lines = r.stdout.trim().split('\n');
  expect(lines.slice(0, -1).map((l) => l.split(/\s+/)[0])).toEqual(['PASS', 'PASS', 'PASS', 'PASS', 'PASS', 'PASS']);
  expect(lines.at(-1)).toBe('6 passed, 0 failed, 0 skipped');
});

test('evaluate --json: a failing claim → exit 1 with the documented shape', async () => {
  const k = await writeKit(test.info().outputPath('kit'), { traffic: null, tweak: (n, f) => { if (n === LAST_NODE) f.sysctl = 'net.ipv4.conf.all.arp_ignore = 0\nnet.ipv4.conf.all.arp_announce = 0\n'; } });
  const r = await cli('evaluate', k.dir, '--json');
  expect(r.exitCode).toBe(1);
  const json = JSON.parse(r.stdout) as { claims: { id: string; status: string; message: string }[] };
  expect(json.claims.map((c) => [c.id, c.status])).toEqual([
    ['kube-ipvs0-holds-clusterips', 'pass'],
    ['ipvs-services-match-endpoints', 'pass'],
    ['ipvs-rr-balanced', 'skip'],
    ['strict-arp', 'fail'],
    ['ipset-replaces-per-service-rules', 'pass'],
    ['fewer-iptables-rules-than-iptables-mode', 'skip'],
  ]);
  expect(Object.keys(json.claims[0]!)).toEqual(['id', 'status', 'message']);
  // Every failure as data, none cut off: the sentence above lists five at most.
  expect(json.claims[3]).toMatchObject({ failures: [
    { claim: 'strict-arp', node: 'myk8s-worker3', object: 'sysctl net.ipv4.conf.all.arp_ignore', expected: '1', seen: '0', message: 'myk8s-worker3: net.ipv4.conf.all.arp_ignore = 0, expected 1' },
    { claim: 'strict-arp', node: 'myk8s-worker3', object: 'sysctl net.ipv4.conf.all.arp_announce', expected: '2', seen: '0', message: 'myk8s-worker3: net.ipv4.conf.all.arp_announce = 0, expected 2' },
  ] });
});

test('unusable input: exit 2 and one line naming the file', async () => {
  const k = await writeKit(test.info().outputPath('kit'));
  await writeFile(join(k.dir, 'nodes', LAST_NODE, 'ip-addr.json'), '3: kube-ipvs0: <BROADCAST,NOARP>');
  expectOneLineError(await cli('evaluate', k.dir), /nodes\/myk8s-worker3\/ip-addr\.json: is not JSON/);
  await writeFile(join(k.dir, 'nodes', LAST_NODE, 'ip-addr.json'), '[]');
  await writeFile(join(k.dir, 'nodes', LAST_NODE, 'iptables-save.txt'), '');
  expectOneLineError(await cli('evaluate', k.dir), /iptables-save\.txt: is empty/);
  await writeFile(join(k.dir, 'cluster.json'), '{"formatVersion": 6}');
  expectOneLineError(await cli('evaluate', k.dir), /cluster\.json: formatVersion must be 1, 2, 3, 4 or 5, got 6/);
});

test('a baseline that is not in iptables mode is bad input', async () => {
  const k = await writeKit(test.info().outputPath('kit'));
  expectOneLineError(await cli('evaluate', k.dir, '--baseline', k.dir), /a baseline must have proxyMode "iptables", got "ipvs"/);
});

test('missing directory, unknown options and commands are one-line errors', async () => {
  expectOneLineError(await cli('evaluate', '/nonexistent/snap'), /\/nonexistent\/snap: not a snapshot directory/);
  expectOneLineError(await cli('evaluate', 'x', '--frobnicate'), /unknown option --frobnicate/);
  expectOneLineError(await cli('judge'), /unknown command "judge"/);
  expectOneLineError(await cli('collect', 'out'), /collect needs --context/);
});

test('--help documents both commands', async () => {
  const r = await cli('--help');
  expect(r.exitCode).toBe(0);
  expect(r.stdout).toContain('evaluate <snapshot-dir> [--baseline <dir>] [--json]');
  expect(r.stdout).toContain('collect <snapshot-dir> --context <context> [--kubeconfig <file>]');
});
