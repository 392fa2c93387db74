// The migration judge on REAL snapshots: the same Services under Kubernetes' own kube-proxy in IPVS mode (UML),
// nftables and iptables mode (host netns), probed with real traffic by the lab's migration test (see
// fixtures/lab-snapshots/README.md). Fail cases are hand edits of those real files. Expected rows and verdicts are
// written down here from what the lab printed, never derived from the judge's behaviour table.
import { expect, test } from '@playwright/test';
import { execa } from 'execa';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { planMigrationProbes } from '../../helpers/collectors/migration-probes.js';
import { compareSnapshots, documentedVerdict, spreadOf, type MigrationReport } from '../../helpers/compare/compare.js';
import { migrationHtml, migrationText } from '../../helpers/compare/report.js';
import { fromOd, parseProbeBlocks, remoteIP } from '../../helpers/parsers/probe-output.js';
import { NO_ANSWER } from '../../helpers/parsers/whoami.js';
import type { ProbeResult, TrafficJson } from '../../helpers/snapshot/model.js';
import { readSnapshot } from '../../helpers/snapshot/read.js';
import { LAB_SNAPSHOTS } from './snapshot-kit.js';

const CLI = join(import.meta.dirname, '..', '..', 'bin', 'ipvs-conformance');
const real = (name: string) => join(LAB_SNAPSHOTS, `migration-${name}`);

interface Edit {
  probes?: (p: ProbeResult[]) => ProbeResult[] | void;
  traffic?: (t: TrafficJson) => void;
}

/** A copy of a real migration snapshot with its probes.json or traffic.json edited. */
async function edited(name: string, e: Edit): Promise<string> {
  const dir = test.info().outputPath(name);
  await rm(dir, { recursive: true, force: true });
  await cp(real(name), dir, { recursive: true });
  const edit = async <T>(file: string, f?: (v: T) => T | void) => {
    if (!f) return;
    const v = JSON.parse(await readFile(join(dir, file), 'utf8')) as T;
    await writeFile(join(dir, file), JSON.stringify(f(v) ?? v));
  };
  await edit('probes.json', e.probes);
  await edit('traffic.json', e.traffic);
  return dir;
}

async function compareDirs(a: string, b: string): Promise<MigrationReport> {
  return compareSnapshots(await readSnapshot(a), await readSnapshot(b));
}

const verdicts = (r: MigrationReport) => Object.fromEntries(r.rows.filter((x) => x.verdict !== 'same').map((x) => [x.key, x.verdict]));
const byKey = (p: ProbeResult[], key: string) => p.find((x) => x.key === key)!;

test.describe('real snapshots', () => {
  test('ipvs → nftables: every service port the same; NodePorts off the primary address and the spread differ as documented', async () => {
    const r = await compareDirs(real('ipvs'), real('nftables'));
    expect(r.ok).toBe(true);
    expect(r.a.mode).toBe('ipvs');
    expect(r.b.mode).toBe('nftables');
    expect(verdicts(r)).toEqual({ 'nodeport-other-address': 'differs as documented', scheduler: 'differs as documented' });
    // 16 service ports; 15 answered in both (with the source address row), default/kubernetes refused in both.
    expect(r.rows.filter((x) => x.kind === 'service-port')).toHaveLength(16);
    expect(r.rows.filter((x) => x.kind === 'source-address')).toHaveLength(15);
    expect(r.counts).toEqual({ same: 37, 'differs as documented': 2, 'differs unexpectedly': 0 });
    const other = r.rows.find((x) => x.key === 'nodeport-other-address')!;
    expect(other.message).toBe('mypc → 172.18.1.3:30080/TCP: answered by webpod3 in ipvs, refused in nftables');
    expect(other.sources?.join(' ')).toContain('3866-nftables-proxy#nodeport-addresses');
  });

  test('ipvs → iptables: unexposed ports and localhost NodePorts differ as documented', async () => {
    const r = await compareDirs(real('ipvs'), real('iptables'));
    expect(r.ok).toBe(true);
    expect(verdicts(r)).toEqual({ 'unexposed-port': 'differs as documented', 'nodeport-localhost': 'differs as documented', scheduler: 'differs as documented' });
    expect(r.rows.find((x) => x.key === 'unexposed-port')!.message).toBe('net-pod on myk8s-control-plane → 10.200.1.245:9999/TCP: refused in ipvs, timeout in iptables');
  });

  test('a broken nftables node (kube-proxy stopped before a Service was created) differs unexpectedly, naming node and address', async () => {
    const r = await compareDirs(real('ipvs-late'), real('nftables-proxy-down'));
    expect(r.ok).toBe(false);
    const bad = r.rows.filter((x) => x.verdict === 'differs unexpectedly');
    expect(bad.map((x) => x.key)).toEqual(['default/svc-late 9100/TCP']);
    expect(bad[0]!.message).toMatch(/^net-pod on myk8s-control-plane → 10\.200\.1\.77:9100\/TCP: answered by webpod\d in ipvs, (timeout|unreachable|refused) in nftables$/);
  });

  test('a snapshot compared with itself is the same everywhere', async () => {
    const r = await compareDirs(real('nftables'), real('nftables'));
    expect(r.counts['differs as documented'] + r.counts['differs unexpectedly']).toBe(0);
  });

  test('the HTML and text reports carry every row, the evidence and the sources', async () => {
    const r = await compareDirs(real('ipvs'), real('nftables'));
    const html = migrationHtml(r);
    expect(html).toContain('What changes when this cluster moves from ipvs to nftables');
    expect(html.match(/<tr style=/g)).toHaveLength(r.rows.length);
    expect(html).toContain('Hostname: webpod');
    expect(html).toContain('href="https://github.com/kubernetes/enhancements/tree/master/keps/sig-network/3866-nftables-proxy#nodeport-addresses"');
    const text = migrationText(r).split('\n');
    expect(text).toHaveLength(r.rows.length + 1);
    expect(text.at(-1)).toBe('ipvs → nftables: 39 rows: 37 same, 2 differ as documented, 0 differ unexpectedly');
    expect(text.filter((l) => l.startsWith('DOC '))).toHaveLength(2);
  });
});

test.describe('rows as a user reads them (ipvs → nftables, real snapshots)', () => {
  const rowsByKey = async () => new Map((await compareDirs(real('ipvs'), real('nftables'))).rows.map((r) => [r.key, r]));

  test('messages name the client, its node and the address; a same row says "in both modes"', async () => {
    const rows = await rowsByKey();
    expect(rows.get('default/svc-clusterip 9000/TCP')!.message).toBe('net-pod on myk8s-control-plane → 10.200.1.245:9000/TCP: answered in both modes');
    expect(rows.get('icmp-clusterip')!.message).toBe('net-pod on myk8s-control-plane → 10.200.1.245/ICMP: no-reply in both modes');
    expect(rows.get('nodeport-localhost')!.message).toBe('myk8s-control-plane → 127.0.0.1:30080/TCP: refused in both modes');
    expect(rows.get('balance')!.message).toBe('net-pod on myk8s-control-plane → 10.200.1.245:9000/TCP: balanced in both modes');
    // 150 new connections: 50/50/50 under IPVS rr; 46/53/51 under nftables (traffic.json of each).
    expect(rows.get('scheduler')!.message).toBe('net-pod on myk8s-control-plane → 10.200.1.245:9000/TCP: round-robin (webpod1=50 webpod2=50 webpod3=50) in ipvs, random (webpod1=46 webpod2=53 webpod3=51) in nftables');
  });

  test('rows carry their kind, title, each mode’s documentation and the sources', async () => {
    const rows = await rowsByKey();
    const source = rows.get('default/svc-clusterip 9000/TCP source')!;
    expect([source.kind, source.title, source.a.outcome, source.b.outcome]).toEqual(['source-address', "default/svc-clusterip: the client's address as the backend sees it", '10.10.0.5', '10.10.0.5']);
    const other = rows.get('nodeport-other-address')!;
    expect(other.kind).toBe('behaviour');
    expect(other.a.documented).toContain('a virtual server per local address');
    expect(other.b.documented).toContain('only opening NodePorts on a single interface');
    const sched = rows.get('scheduler')!;
    expect([sched.kind, sched.title]).toEqual(['behaviour', 'How new connections are spread over the endpoints']);
    expect(sched.a.documented).toContain('rr');
    expect(sched.b.documented).toContain('numgen random');
    expect(sched.b.evidence).toBe('webpod1=46 webpod2=53 webpod3=51');
    expect(rows.get('unallocated-clusterip')!.a.documented).toBeUndefined();
    expect(rows.get('unallocated-clusterip')!.b.documented).toContain('drop traffic to unassigned cluster IPs');
  });
});

test.describe('edits of real snapshots', () => {
  test('a service port refused after the move fails, naming the client node and the ClusterIP', async () => {
    const b = await edited('nftables', { probes: (p) => void Object.assign(byKey(p, 'default/svc-extra-3 8080/TCP'), { outcome: 'refused', hostname: undefined, remoteAddr: undefined }) });
    const r = await compareDirs(real('ipvs'), b);
    expect(r.ok).toBe(false);
    expect(r.rows.filter((x) => x.verdict === 'differs unexpectedly').map((x) => x.message)).toEqual([
      'net-pod on myk8s-control-plane → 10.200.1.103:8080/TCP: answered by webpod3 in ipvs, refused in nftables',
    ]);
  });

  test('a backend that sees another client address (masquerade) fails', async () => {
    const b = await edited('nftables', { probes: (p) => void (byKey(p, 'kube-system/kube-dns 53/UDP').remoteAddr = '172.18.0.2') });
    const r = await compareDirs(real('ipvs'), b);
    const bad = r.rows.filter((x) => x.verdict === 'differs unexpectedly');
    expect(bad.map((x) => [x.kind, x.message])).toEqual([
      ['source-address', "net-pod on myk8s-control-plane → 10.200.1.10:53/UDP: the backend saw 10.10.0.5 in ipvs, the backend saw the client's node's address in nftables"],
    ]);
  });

  test('a DNS answer carries no client address in either mode: the same, not a difference (real CoreDNS)', async () => {
    const dns = (p: ProbeResult[]) => void delete byKey(p, 'kube-system/kube-dns 53/UDP').remoteAddr;
    const r = await compareDirs(await edited('ipvs', { probes: dns }), await edited('nftables', { probes: dns }));
    const row = r.rows.find((x) => x.key === 'kube-system/kube-dns 53/UDP source')!;
    expect([row.verdict, row.a.outcome, row.b.outcome]).toEqual(['same', 'no address reported', 'no address reported']);
    expect(r.ok).toBe(true);
    // An address on one side only still fails.
    const one = await compareDirs(real('ipvs'), await edited('nftables', { probes: dns }));
    expect(one.rows.find((x) => x.key === 'kube-system/kube-dns 53/UDP source')!.message).toBe(
      'net-pod on myk8s-control-plane → 10.200.1.10:53/UDP: the backend saw 10.10.0.5 in ipvs, the backend saw no address reported in nftables',
    );
  });

  test('two clusters give the client different IPs: "the client\'s own address" in both is the same', async () => {
    const own = (ip: string) => (p: ProbeResult[]) => void p.filter((x) => x.from === 'net-pod').forEach((x) => Object.assign(x, { fromIP: ip }, x.remoteAddr === '10.10.0.5' && { remoteAddr: ip }));
    const r = await compareDirs(await edited('ipvs', { probes: own('10.10.0.5') }), await edited('nftables', { probes: own('10.10.3.7') }));
    const row = r.rows.find((x) => x.key === 'default/svc-clusterip 9000/TCP source')!;
    expect([row.verdict, row.a.outcome, row.b.outcome]).toEqual(['same', "the client's own address", "the client's own address"]);
    expect(r.ok).toBe(true);
    // Another node's address after the move (masquerade) is named as such, and fails.
    const masq = (p: ProbeResult[]) => void (byKey(p, 'default/svc-clusterip 9000/TCP').remoteAddr = '172.18.0.4');
    const m = await compareDirs(await edited('ipvs', { probes: own('10.10.0.5') }), await edited('nftables', { probes: (p) => (own('10.10.3.7')(p), masq(p)) }));
    expect(m.rows.find((x) => x.key === 'default/svc-clusterip 9000/TCP source')!.message).toBe(
      "net-pod on myk8s-control-plane → 10.200.1.245:9000/TCP: the backend saw the client's own address in ipvs, the backend saw node myk8s-worker2's address in nftables",
    );
  });

  test('a documented behaviour with an outcome its documentation does not allow fails', async () => {
    // nftables rejects unexposed ports; a timeout there is not what KEP-3866 says.
    const b = await edited('nftables', { probes: (p) => void (byKey(p, 'unexposed-port').outcome = 'timeout') });
    expect(verdicts(await compareDirs(real('ipvs'), b))['unexposed-port']).toBe('differs unexpectedly');
    // A NodePort on 127.0.0.1 answered in nftables mode is not documented either.
    const c = await edited('nftables', { probes: (p) => void (byKey(p, 'nodeport-localhost').outcome = 'answered') });
    expect(verdicts(await compareDirs(real('ipvs'), c))['nodeport-localhost']).toBe('differs unexpectedly');
  });

  test('a service port that answers only after the move fails, and has no source-address row', async () => {
    const a = await edited('ipvs', { probes: (p) => void Object.assign(byKey(p, 'default/svc-extra-3 8080/TCP'), { outcome: 'timeout', hostname: undefined, remoteAddr: undefined }) });
    const r = await compareDirs(a, real('nftables'));
    const keys = r.rows.map((x) => x.key);
    expect(keys).toContain('default/svc-extra-3 8080/TCP');
    expect(keys).not.toContain('default/svc-extra-3 8080/TCP source');
    expect(r.rows.find((x) => x.key === 'default/svc-extra-3 8080/TCP')!.message).toMatch(/: timeout in ipvs, answered by webpod\d in nftables$/);
  });

  test('a probe only the second snapshot has is "not probed" in the first', async () => {
    const a = await edited('ipvs', { probes: (p) => p.filter((x) => x.key !== 'default/svc-nodeport 9080/TCP') });
    const row = (await compareDirs(a, real('nftables'))).rows.find((x) => x.key === 'default/svc-nodeport 9080/TCP')!;
    expect([row.verdict, row.a.outcome]).toEqual(['differs unexpectedly', 'not probed']);
    expect(row.message).toMatch(/: not probed in ipvs, answered by webpod\d in nftables$/);
  });

  test('a behaviour one snapshot did not send (unexposed-port, never sent from an iptables node outside the lab) is listed, not compared', async () => {
    const b = await edited('iptables', { probes: (p) => p.filter((x) => x.key !== 'unexposed-port') });
    const r = await compareDirs(real('ipvs'), b);
    expect(r.rows.map((x) => x.key)).not.toContain('unexposed-port');
    expect(r.notCompared).toEqual([`unexposed-port: probed only in ${real('ipvs')} (ipvs), net-pod on myk8s-control-plane → 10.200.1.245:9999/TCP`]);
    expect(verdicts(r)).toEqual({ 'nodeport-localhost': 'differs as documented', scheduler: 'differs as documented' });
    expect(r.ok).toBe(true);
    expect(migrationText(r)).toContain(`\nNOT COMPARED  unexposed-port: probed only in ${real('ipvs')} (ipvs), net-pod on myk8s-control-plane → 10.200.1.245:9999/TCP\n`);
    expect(migrationHtml(r)).toContain('<h2>Probed in one snapshot only, not compared</h2><ul><li>unexposed-port: probed only in');
    const reversed = await compareDirs(b, real('ipvs'));
    expect(reversed.notCompared).toEqual([`unexposed-port: probed only in ${real('ipvs')} (ipvs), net-pod on myk8s-control-plane → 10.200.1.245:9999/TCP`]);
    expect((await compareDirs(real('ipvs'), real('iptables'))).notCompared, 'both probed: nothing listed').toBeUndefined();
    expect(migrationHtml(await compareDirs(real('ipvs'), real('iptables')))).not.toContain('not compared');
  });

  test('the planner sends unexposed-port only where the client node rejects it or the network is closed', async () => {
    const { cluster } = await readSnapshot(real('ipvs'));
    const sites = { clientPod: 'net-pod', clientNode: 'myk8s-control-plane', outside: 'mypc', nodePortNode: { name: 'myk8s-worker', internalIP: '172.18.0.3' }, service: { clusterIP: '10.200.1.245', port: 9000 }, unexposedPort: 9999 };
    const planned = (mode: string | undefined, closed = false) => planMigrationProbes(cluster, { ...sites, ...(closed && { unallocatedIP: '10.200.1.200' }) }, mode).map((t) => t.key).filter((k) => k === 'unexposed-port' || k === 'unallocated-clusterip');
    expect(planned('ipvs')).toEqual(['unexposed-port']);
    expect(planned('nftables')).toEqual(['unexposed-port']);
    expect(planned('iptables')).toEqual([]);
    expect(planned('iptables', true)).toEqual(['unexposed-port', 'unallocated-clusterip']);
    expect(planned(undefined), 'no mode given: the cluster’s (ipvs)').toEqual(['unexposed-port']);
    expect(planMigrationProbes({ ...cluster, proxyMode: 'iptables' }, sites).map((t) => t.key)).not.toContain('unexposed-port');
  });

  test('a behaviour no documentation covers is titled by its id, has no sources, and a difference fails', async () => {
    const rename = (p: ProbeResult[]) => void Object.assign(byKey(p, 'unexposed-port'), { behaviour: 'made-up', key: 'made-up' });
    const a = await edited('ipvs', { probes: rename });
    const b = await edited('iptables', { probes: rename });
    const row = (await compareDirs(a, b)).rows.find((x) => x.key === 'made-up')!;
    expect([row.title, row.sources, row.verdict, row.a.documented]).toEqual(['made-up', undefined, 'differs unexpectedly', undefined]);
  });

  test('traffic in one snapshot only: the balance and spread rows are "not probed" there and fail; in neither, no such rows', async () => {
    const b = await edited('nftables', {});
    await rm(join(b, 'traffic.json'));
    const r = await compareDirs(real('ipvs'), b);
    const row = (key: string) => r.rows.find((x) => x.key === key)!;
    expect([row('balance').verdict, row('balance').b.outcome]).toEqual(['differs unexpectedly', 'not probed']);
    expect(row('balance').message).toBe('net-pod on myk8s-control-plane → 10.200.1.245:9000/TCP: balanced in ipvs, not probed in nftables');
    expect([row('scheduler').verdict, row('scheduler').b.outcome]).toEqual(['differs unexpectedly', 'not probed']);
    expect(row('scheduler').message).toBe('net-pod on myk8s-control-plane → 10.200.1.245:9000/TCP: round-robin (webpod1=50 webpod2=50 webpod3=50) in ipvs, not probed () in nftables');
    const a = await edited('ipvs', {});
    await rm(join(a, 'traffic.json'));
    expect((await compareDirs(a, b)).rows.filter((x) => x.kind === 'balance' || x.key === 'scheduler')).toEqual([]);
  });

  test('a probe one snapshot lacks is "not probed" and fails', async () => {
    const b = await edited('nftables', { probes: (p) => p.filter((x) => x.key !== 'default/svc-nodeport 9080/TCP') });
    const r = await compareDirs(real('ipvs'), b);
    const row = r.rows.find((x) => x.key === 'default/svc-nodeport 9080/TCP')!;
    expect([row.verdict, row.b.outcome]).toEqual(['differs unexpectedly', 'not probed']);
  });

  test('an unbalanced split in one mode fails the balance row', async () => {
    const b = await edited('nftables', { traffic: (t) => void (t.responses = [...Array<string>(140).fill('webpod1'), ...Array<string>(5).fill('webpod2'), ...Array<string>(5).fill('webpod3')]) });
    const r = await compareDirs(real('ipvs'), b);
    const row = r.rows.find((x) => x.key === 'balance')!;
    expect([row.verdict, row.a.outcome, row.b.outcome]).toEqual(['differs unexpectedly', 'balanced', 'unbalanced']);
  });
});

test.describe('pieces', () => {
  test('spreadOf: round-robin only when every backend answered within one of the others', () => {
    expect(spreadOf(['a', 'b', 'c', 'a', 'b', 'c', 'a'])).toBe('round-robin');
    expect(spreadOf(['a', 'b', 'c', 'a', 'a'])).toBe('random');
    expect(spreadOf(['a', 'b', NO_ANSWER])).toBe('random');
    expect(spreadOf(['a', 'a'])).toBe('random');
  });

  test('documentedVerdict: equal is same; as documented needs both outcomes allowed for their modes', () => {
    const modes = { a: 'ipvs' as const, b: 'nftables' as const };
    expect(documentedVerdict('nodeport-other-address', 'answered', 'answered', modes)).toBe('same');
    expect(documentedVerdict('nodeport-other-address', 'answered', 'timeout', modes)).toBe('differs as documented');
    expect(documentedVerdict('nodeport-other-address', 'refused', 'timeout', modes)).toBe('differs unexpectedly');
    expect(documentedVerdict('unallocated-clusterip', 'unreachable', 'timeout', modes)).toBe('differs unexpectedly');
    expect(documentedVerdict('no-such-behaviour', 'answered', 'refused', modes)).toBe('differs unexpectedly');
  });

  test('probe output: real client texts read as answered, refused, timeout, no-reply, replied', () => {
    const text = [
      '=== probe 0', 'Content-Type: text/plain', '', 'Hostname: webpod2', 'RemoteAddr: [::ffff:10.10.0.5]:45660', 'rc=0',
      '=== probe 1', 'bash: line 1: connect: Connection refused', 'bash: line 1: /dev/tcp/10.200.1.245/9999: Connection refused', 'rc=7',
      '=== probe 2', 'rc=124',
      '=== probe 3', 'PING 10.200.1.245 (10.200.1.245): 56 data bytes', '', '--- 10.200.1.245 ping statistics ---', '1 packets transmitted, 0 packets received, 100% packet loss', 'rc=1',
      '=== probe 4', '1 packets transmitted, 1 packets received, 0% packet loss', 'rc=0',
      '=== probe 5', 'bash: connect: No route to host', 'rc=7',
      '=== probe 6', 'rc=0',
    ].join('\n');
    const r = parseProbeBlocks(text, 7, (i) => (i === 3 || i === 4 ? 'ICMP' : 'TCP'), 'probes');
    expect(r.map((x) => x.outcome)).toEqual(['answered', 'refused', 'timeout', 'no-reply', 'replied', 'unreachable', 'closed']);
    expect([r[0]!.hostname, r[0]!.remoteAddr]).toEqual(['webpod2', '10.10.0.5']);
    expect(r[1]!.detail).toContain('Connection refused');
    expect(() => parseProbeBlocks(text, 8, () => 'TCP', 'probes from net-pod')).toThrow('probes from net-pod: no output for probe 7');
    expect(() => parseProbeBlocks('=== probe 0\nHostname: x\n', 1, () => 'TCP', 'p')).toThrow('p: probe 0: no exit code (rc=N) line');
  });

  test('UDP replies: the text of whoami.pl through od -c, the binary answer of a real DNS server, and silence', () => {
    // `printf 'Hostname: coredns-a\nRemoteAddr: 10.10.0.5:55579\n' | od -An -c` and `printf '\x12\x34\x81\x80\x00' | od -An -c`.
    const whoami = ['   H   o   s   t   n   a   m   e   :       c   o   r   e   d   n', '   s   -   a  \\n   R   e   m   o   t   e   A   d   d   r   :    ', '   1   0   .   1   0   .   0   .   5   :   5   5   5   7   9  \\n'].join('\n');
    const dns = ' 022   4 201 200  \\0';
    const text = `=== probe 0\n${whoami}\nrc=0\n=== probe 1\n${dns}\nrc=0\n=== probe 2\nrc=124\n`;
    const r = parseProbeBlocks(text, 3, () => 'UDP', 'udp');
    expect(r.map((x) => [x.outcome, x.hostname, x.remoteAddr])).toEqual([['answered', 'coredns-a', '10.10.0.5'], ['answered', undefined, undefined], ['timeout', undefined, undefined]]);
    expect(r[0]!.detail).toBe('Hostname: coredns-a\nRemoteAddr: 10.10.0.5:55579');
    expect(r[1]!.detail).toBe('022   4 201 200  \\0');
  });

  test('probe output edge cases: each outcome from what the client printed, and its exit code', () => {
    const block = (i: number, body: string, rc: number) => `=== probe ${i}\n${body}${body ? '\n' : ''}rc=${rc}\n`;
    const cases: [string, number, string, string][] = [
      ['TCP', 7, 'bash: connect: Network is unreachable', 'unreachable'],
      ['TCP', 7, 'bash: connect: Host is unreachable', 'unreachable'],
      ['TCP', 124, 'HTTP/1.1 200 OK', 'timeout'],
      ['TCP', 0, 'HTTP/1.1 503 Service Unavailable', 'answered'],
      ['TCP', 0, 'HTTP/1.1 426 Upgrade Required', 'closed'],
      ['TCP', 0, 'HTTP/1.2 200 OK', 'closed'],
      ['TCP', 1, '', 'closed'],
      ['UDP', 1, "dd: error reading 'standard input': Connection refused", 'refused'],
      ['UDP', 0, '', 'closed'],
      ['UDP', 124, '', 'timeout'],
      ['ICMP', 0, '2 packets transmitted, 2 packets received, 0% packet loss', 'replied'],
      ['ICMP', 0, '10 packets transmitted, 10 packets received', 'replied'],
      ['ICMP', 1, '1 packets transmitted, 0 packets received, 100% packet loss', 'no-reply'],
    ];
    const text = cases.map(([, rc, body], i) => block(i, body, rc)).join('');
    // Only probe 3 asks a plain HTTP server for its status; probe 4's HTTP answer is not whoami's, so not the backend's.
    const r = parseProbeBlocks(text, cases.length, (i) => cases[i]![0], 'edge', (i) => i === 3 || i === 5);
    expect(r.map((x) => x.outcome)).toEqual(cases.map((c) => c[3]));
    expect(r.every((x) => x.hostname === undefined && x.remoteAddr === undefined)).toBe(true);
    // kube-proxy's health check server: its status read to the end; cut off by the timeout it is no answer.
    expect(r.map((x) => x.httpStatus)).toEqual([undefined, undefined, undefined, 503, ...Array<undefined>(cases.length - 4).fill(undefined)]);
    expect(parseProbeBlocks(block(0, 'HTTP/1.1 503 Service Unavailable', 0), 1, () => 'TCP', 'default')[0]).toMatchObject({ outcome: 'closed' });
    // A repeated probe (session affinity): every backend that answered, once each, sorted.
    const repeated = parseProbeBlocks('=== probe 0\nHostname: webpod2\nHostname: webpod1\nHostname: webpod2\nrc=0\n', 1, () => 'TCP', 'repeat')[0]!;
    expect([repeated.hostname, repeated.backends]).toEqual(['webpod2', ['webpod1', 'webpod2']]);
    const once = parseProbeBlocks('=== probe 0\nHostname: webpod2\nrc=0\n', 1, () => 'TCP', 'once')[0]!;
    expect(once.backends).toBeUndefined();
    // whoami over HTTP ends its lines in CRLF; a Hostname without RemoteAddr has no address.
    const crlf = parseProbeBlocks('=== probe 0\nHostname: webpod1\r\nIP: 10.10.1.2\r\nrc=0\n', 1, () => 'TCP', 'crlf')[0]!;
    expect([crlf.outcome, crlf.hostname, 'remoteAddr' in crlf]).toEqual(['answered', 'webpod1', false]);
    expect(() => parseProbeBlocks('=== probe 0', 1, () => 'TCP', 'cut')).toThrow('cut: probe 0: no exit code (rc=N) line');
    expect(() => parseProbeBlocks('Hostname: x\nrc=0\n', 1, () => 'TCP', 'unframed')).toThrow('unframed: no output for probe 0');
  });

  test('probe output: only whole whoami lines count, and only a whole rc line ends a block', () => {
    const one = (body: string, protocol = 'TCP') => parseProbeBlocks(`=== probe 0\n${body}\n`, 1, () => protocol, 'lines')[0]!;
    expect(one('X-Hostname: webpod1\nrc=0').outcome).toBe('closed');
    expect(one('Hostname: web pod\nrc=0').outcome).toBe('closed');
    expect('remoteAddr' in one('Hostname: webpod1\nRemoteAddr: 10.10.0.5:1 (proxied)\nrc=0')).toBe(false);
    expect(() => one('Hostname: webpod1\nrc=0 and more')).toThrow('lines: probe 0: no exit code (rc=N) line');
    expect(one('Hostname: coredns-a\nrc=0', 'UDP').hostname).toBe('coredns-a');
  });

  test('fromOd: text comes back through escapes and spaces; a NUL or an octal byte keeps the dump', () => {
    expect(fromOd('   a  \\t   b  \\r  \\n       c\n')).toBe('a\tb\r\n c');
    expect(fromOd('\n   o   k\n\n')).toBe('ok');
    expect(fromOd('   a  \\0\n')).toBe('a  \\0');
    expect(fromOd(' 022   4\n')).toBe('022   4');
  });

  test('remoteIP strips the port and the IPv4-mapped prefix', () => {
    expect(remoteIP('10.10.0.5:55579')).toBe('10.10.0.5');
    expect(remoteIP('[::ffff:10.10.0.5]:45660')).toBe('10.10.0.5');
    expect(remoteIP('[fd00::5]:80')).toBe('fd00::5');
  });
});

test.describe('bin/ipvs-conformance compare', () => {
  const cli = (...args: string[]) => execa(CLI, args, { reject: false });

  test('exit 0 with one line per row; --json is the whole report', async () => {
    const r = await cli('compare', real('ipvs'), real('nftables'));
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('ipvs → nftables: 39 rows: 37 same, 2 differ as documented, 0 differ unexpectedly');
    const j = await cli('compare', real('ipvs'), real('nftables'), '--json');
    expect((JSON.parse(j.stdout) as MigrationReport).rows).toHaveLength(39);
  });

  test('exit 1 when a row differs unexpectedly', async () => {
    const r = await cli('compare', real('ipvs-late'), real('nftables-proxy-down'));
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^FAIL {2}default\/svc-late port 9100\/TCP: net-pod on myk8s-control-plane → 10\.200\.1\.77:9100\/TCP/m);
  });

  test('exit 2 with one line: a snapshot without probes.json, a bad probe outcome, a missing argument', async () => {
    const oneLine = (r: { exitCode?: number; stderr: string }, pattern: RegExp) => {
      expect(r.exitCode).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
    };
    oneLine(await cli('compare', real('ipvs'), join(LAB_SNAPSHOTS, 'conforming')), /conforming: no probes\.json; compare needs a snapshot taken with the migration probes$/);
    const bad = await edited('nftables', { probes: (p) => void ((p[2] as unknown as { outcome: string }).outcome = 'maybe') });
    oneLine(await cli('compare', real('ipvs'), bad), /probes\.json: \[2\]\.outcome must be one of answered, refused, .*, got "maybe"$/);
    oneLine(await cli('compare', real('ipvs')), /compare takes two snapshot directories \(<snapshot-a> <snapshot-b>\), or more for a timeline$/);
    const status = await edited('nftables', { probes: (p) => void ((p[1] as unknown as { httpStatus: number }).httpStatus = 42) });
    oneLine(await cli('compare', real('ipvs'), status), /probes\.json: \[1\]\.httpStatus must be an HTTP status code$/);
    const backends = await edited('nftables', { probes: (p) => void ((p[1] as unknown as { backends: unknown }).backends = 'webpod1') });
    oneLine(await cli('compare', real('ipvs'), backends), /probes\.json: \[1\]\.backends must be an array of strings$/);
    const repeat = await edited('nftables', { probes: (p) => void ((p[1] as unknown as { repeat: number }).repeat = 0) });
    oneLine(await cli('compare', real('ipvs'), repeat), /probes\.json: \[1\]\.repeat must be a whole number of requests, 1 or more$/);
    const twice = await edited('nftables', { probes: (p) => [...p, p[0]!] });
    oneLine(await cli('compare', real('ipvs'), twice), /probes\.json: \[\d+\]\.key "default\/kubernetes 443\/TCP" appears twice$/);
  });
});
