// Pure pieces around the lab and the report: the seed topology, kube-proxy's sync metrics, probe scripts, the
// verdict matrix and the SVG charts. (That the lab's real kube-proxy programs what the claims expect is the lab.)
import { expect, test } from '@playwright/test';
import { arpScript, balanceScript } from '../../helpers/collectors/probes.js';
import { nodeConfigYaml, parseSyncMetrics, seedKubeProxyConfig, SyncWatch } from '../../helpers/lab/kube-proxy.js';
import { formatMatrix } from '../../helpers/lab/matrix.js';
import { seedTopology } from '../../helpers/lab/topology.js';
import { barChart } from '../../helpers/report/svg.js';

test('the seed topology: webpods on the workers, the same pods on a two-node baseline', () => {
  const seed = seedTopology();
  expect(seed.pods.filter((p) => p.web).map((p) => `${p.name}@${p.node}=${p.ip}`)).toEqual([
    'webpod1@myk8s-worker=10.10.1.2', 'webpod2@myk8s-worker2=10.10.2.2', 'webpod3@myk8s-worker3=10.10.3.2',
  ]);
  expect(seed.services.map((s) => s.spec!.clusterIP)).toContain('10.200.1.245');
  const base = seedTopology({ nodeNames: ['b-cp', 'b-w'], subnet: '172.19' });
  expect(base.pods.filter((p) => p.web).map((p) => `${p.node}=${p.ip}`)).toEqual(['b-w=10.10.1.2', 'b-w=10.10.1.4', 'b-w=10.10.1.5']);
  expect(base.nodes.map((n) => n.ip)).toEqual(['172.19.0.2', '172.19.0.3']);
});

test('the seed topology carries the Service shapes at the node network’s addresses; the migration topology does not', () => {
  const seed = seedTopology();
  expect(seed.loadBalancerIngress).toEqual({ 'svc-lb': '172.18.255.200', 'svc-lb-local': '172.18.255.201' });
  const byName = new Map(seed.services.map((s) => [s.metadata!.name!, s.spec!]));
  expect(byName.get('svc-lb')).toMatchObject({ type: 'LoadBalancer', clusterIP: '10.200.1.70', loadBalancerSourceRanges: ['172.16.0.0/12'] });
  expect(byName.get('svc-lb-local')).toMatchObject({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', clusterIP: '10.200.1.71' });
  expect(byName.get('svc-external-ip')).toMatchObject({ externalIPs: ['172.18.255.210'], clusterIP: '10.200.1.72' });
  expect(byName.get('svc-affinity')).toMatchObject({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } } });
  expect(byName.get('svc-external-name')).toMatchObject({ type: 'ExternalName' });
  expect(byName.get('svc-nodeport')).toMatchObject({ type: 'NodePort', ports: [{ nodePort: 30080 }] });
  expect(seedTopology({ nodeNames: ['b-cp', 'b-w'], subnet: '172.19' }).loadBalancerIngress['svc-lb']).toBe('172.19.255.200');
  expect(byName.has('svc-dual'), 'dual-stack only when asked for').toBe(false);
  const dual = seedTopology({ dualStack: true });
  expect(dual.services.find((s) => s.metadata!.name === 'svc-dual')!.spec).toMatchObject({ ipFamilyPolicy: 'RequireDualStack', clusterIP: '10.200.1.74', clusterIPs: ['10.200.1.74', 'fd00:10:200::74'] });
  expect(dual.pods.filter((p) => p.ip6).map((p) => `${p.name}=${p.ip6}`)).toEqual(['webpod1=fd00:10:10:1::2', 'webpod2=fd00:10:10:2::2', 'webpod3=fd00:10:10:3::2']);
  const migration = seedTopology({ migration: true });
  expect(migration.loadBalancerIngress).toEqual({});
  expect(migration.services.map((s) => s.metadata!.name)).not.toContain('svc-lb');
});

test('kube-proxy config: the ConfigMap content plus what each node says itself', () => {
  const yaml = nodeConfigYaml(seedKubeProxyConfig({ strictARP: false, scheduler: 'wrr' }), 'n1', '/k/kubeconfig', 'iptables');
  expect(yaml).toContain('hostnameOverride: n1');
  expect(yaml).toContain('kubeconfig: /k/kubeconfig');
  expect(yaml).toContain('mode: iptables');
  expect(yaml).toMatch(/strictARP: false/);
  expect(yaml).toMatch(/scheduler: wrr/);
  expect(yaml).toContain('metricsBindAddress: 0.0.0.0:10249');
});

/** One scrape's sync lines, as kube-proxy prints them (the HELP/TYPE lines and other metrics are ignored). */
function scrape(families: Record<string, { last?: number; queued: number; count?: number; sum?: number }>): string {
  const lines = ['# HELP kubeproxy_sync_proxy_rules_last_timestamp_seconds x', 'kubeproxy_sync_proxy_rules_duration_seconds_bucket{ip_family="IPv4",le="0.001"} 0'];
  for (const [fam, f] of Object.entries(families)) {
    const l = `{ip_family="${fam}"}`;
    if (f.last !== undefined) lines.push(`kubeproxy_sync_proxy_rules_last_timestamp_seconds${l} ${f.last}`);
    lines.push(`kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds${l} ${f.queued}`);
    if (f.count !== undefined) lines.push(`kubeproxy_sync_proxy_rules_duration_seconds_count${l} ${f.count}`, `kubeproxy_sync_proxy_rules_duration_seconds_sum${l} ${f.sum}`);
  }
  return lines.join('\n');
}

test('sync metrics: the timestamps and the duration histogram per IP family, nothing else', () => {
  const s = parseSyncMetrics(`${scrape({ IPv4: { last: 1795685770.04, queued: 1795685769.9, count: 3, sum: 0.0588 }, IPv6: { queued: 1795685769.8 } })}\nkubeproxy_sync_full_proxy_rules_duration_seconds_count{ip_family="IPv4"} 9`);
  expect(s.last).toEqual(new Map([['{ip_family="IPv4"}', 1795685770.04]]));
  expect(s.queued).toEqual(new Map([['{ip_family="IPv4"}', 1795685769.9], ['{ip_family="IPv6"}', 1795685769.8]]));
  expect(s.count).toEqual(new Map([['{ip_family="IPv4"}', 3]]));
  expect(s.sum).toEqual(new Map([['{ip_family="IPv4"}', 0.0588]]));
  expect(parseSyncMetrics('kubeproxy_sync_proxy_rules_last_timestamp_seconds 12\n').last).toEqual(new Map([['', 12]]));
});

const T = 1.7e9;
const v4 = (last: number, queued: number, count: number, sum: number) => parseSyncMetrics(scrape({ IPv4: { last, queued, count, sum } }));

test('a complete sync: a proxier saw the change, and its latest sync began after the change was queued', () => {
  // Before the change: 4 syncs, 2 s in all. The change is queued at T+1; one sync of 3 s (T+2 to T+5) follows.
  const base = new Map([['n1', v4(T - 10, T - 11, 4, 2)]]);
  expect(new SyncWatch(T, base).synced('n1', v4(T + 5, T + 1, 5, 5))).toBe(true);
  expect(new SyncWatch(T, base).synced('n1', v4(T + 5, T + 6, 5, 5)), 'queued again after the last sync').toBe(false);
  expect(new SyncWatch(T, base).synced('n1', v4(T + 5, T - 1, 5, 5)), 'the change was not yet seen').toBe(false);
  expect(new SyncWatch(T, base).synced('n1', v4(T - 10, T + 1, 4, 2)), 'no sync since the change').toBe(false);
  expect(new SyncWatch(T).synced('n1', parseSyncMetrics('')), 'no metrics: kube-proxy not up').toBe(false);
});

test('a sync that ended after the change but began before it does not count; the next one does', () => {
  // The measured race: a 30 s sync runs from T-25 to T+5; the change (zone hints) is queued at T+1, mid-sync.
  const watch = new SyncWatch(T, new Map([['n1', v4(T - 30, T - 26, 4, 2)]]));
  expect(watch.synced('n1', v4(T + 5, T + 1, 5, 32)), 'began at T-25, before the change').toBe(false);
  expect(watch.synced('n1', v4(T + 5, T + 1, 5, 32)), 'nothing new: still not').toBe(false);
  // The sync kube-proxy queued for it: T+6 to T+8.
  expect(watch.synced('n1', v4(T + 8, T + 1, 6, 34))).toBe(true);
  expect(watch.synced('n1', v4(T + 8, T + 1, 6, 34)), 'a reading without a new sync keeps what was learned').toBe(true);
});

test('two syncs between readings: their whole time bounds the start, so only a clear case passes', () => {
  const base = new Map([['n1', v4(T - 30, T - 31, 4, 2)]]);
  // Syncs of 1 s and 2 s after the change at T+1: the latest began no later than T+10-3 = T+7.
  expect(new SyncWatch(T, base).synced('n1', v4(T + 10, T + 1, 6, 5))).toBe(true);
  // A 30 s sync from T-25 and a 2 s one: the bound T+7-32 lies before the change, so wait for another.
  expect(new SyncWatch(T, base).synced('n1', v4(T + 7, T + 1, 6, 34))).toBe(false);
});

test('a kube-proxy started after the watch: nothing pending suffices, as its first sync may precede SyncLoop’s stamp', () => {
  // Measured in CI: the first sync (T+3 to T+5) began before the "queued" stamp SyncLoop synthesizes at T+4, and
  // nftables mode syncs again only after an hour. That first sync read the whole API state.
  expect(new SyncWatch(T).synced('n1', v4(T + 5, T + 4, 1, 2))).toBe(true);
  expect(new SyncWatch(T).synced('n1', v4(T + 5, T + 6, 1, 2)), 'queued after its last sync').toBe(false);
  expect(new SyncWatch(T).synced('n1', v4(T + 5, T - 1, 1, 2)), 'queued before the watch: not this process').toBe(false);
  // A restart: the old kube-proxy had counted 40 syncs, the new one has counted 1, so it is fresh too.
  expect(new SyncWatch(T, new Map([['n1', v4(T - 9, T - 9, 40, 80)]])).synced('n1', v4(T + 5, T + 4, 1, 2))).toBe(true);
  // Fresh stays fresh over later readings of the same watch: its second sync (T+7 to T+8) ends the wait.
  const watch = new SyncWatch(T);
  expect(watch.synced('n1', v4(T + 5, T + 6, 1, 2))).toBe(false);
  expect(watch.synced('n1', v4(T + 8, T + 6, 2, 3))).toBe(true);
});

test('dual-stack: the proxier that saw the change must have synced it; the other only needs nothing pending', () => {
  // Both proxiers ran before the change: 1 sync each, of 0.5 s. Since then IPv4 synced once more, for 2 s (T+3 to T+5).
  const running = parseSyncMetrics(scrape({ IPv4: { last: T - 30, queued: T - 31, count: 1, sum: 0.5 }, IPv6: { last: T - 30, queued: T - 31, count: 1, sum: 0.5 } }));
  const watch = () => new SyncWatch(T, new Map([['n1', running]]));
  const both = (v6: { last: number; queued: number; count: number }) =>
    parseSyncMetrics(scrape({ IPv4: { last: T + 5, queued: T + 1, count: 2, sum: 2.5 }, IPv6: { ...v6, sum: v6.count === 1 ? 0.5 : 1.5 } }));
  expect(watch().synced('n1', both({ last: T - 30, queued: T - 31, count: 1 })), 'IPv6 ignored the IPv4-only change').toBe(true);
  expect(watch().synced('n1', both({ last: T - 30, queued: T - 1, count: 1 })), 'IPv6 has a sync pending').toBe(false);
  // IPv6 saw the change at T+3, and its one new sync (1 s, T+4 to T+5) began after it.
  expect(watch().synced('n1', both({ last: T + 5, queued: T + 3, count: 2 }))).toBe(true);
  expect(watch().synced('n1', both({ last: T + 5, queued: T + 4.5, count: 2 })), 'IPv6 queued mid-sync').toBe(false);
});

test('dual-stack first sync: a family the watch requires must have finished a sync, even before kube-proxy stamps one', () => {
  // Measured in the lab: the IPv6 proxier's first sync runs after the IPv4 one, and until it ends only "queued" exists.
  const v4only = parseSyncMetrics(scrape({ IPv4: { last: T + 60, queued: T + 2, count: 1, sum: 58 }, IPv6: { queued: T + 2 } }));
  const families = ['{ip_family="IPv4"}', '{ip_family="IPv6"}'];
  expect(new SyncWatch(T).synced('n1', v4only), 'without required families the IPv4 sync ends the wait').toBe(true);
  expect(new SyncWatch(T, new Map(), families).synced('n1', v4only), 'IPv6 has not synced yet').toBe(false);
  const both = parseSyncMetrics(scrape({ IPv4: { last: T + 60, queued: T + 2, count: 1, sum: 58 }, IPv6: { last: T + 75, queued: T + 2, count: 1, sum: 14 } }));
  expect(new SyncWatch(T, new Map(), families).synced('n1', both)).toBe(true);
});

test('nodes are followed separately', () => {
  const watch = new SyncWatch(T, new Map([['a', v4(T - 9, T - 9, 4, 2)], ['b', v4(T - 9, T - 9, 9, 90)]]));
  expect(watch.synced('b', v4(T + 5, T + 1, 10, 92)), 'b: one 2 s sync from T+3').toBe(true);
  expect(watch.synced('a', v4(T + 5, T + 1, 5, 32)), 'a: one 30 s sync from T-25').toBe(false);
});

test('balance scripts: one shell loop of N requests, curl or bash /dev/tcp', () => {
  const curl = balanceScript({ clusterIP: '10.200.1.245', port: 9000, requests: 300 });
  expect(curl).toContain('while [ $i -lt 300 ]');
  expect(curl).toContain("curl -s --max-time 3 -H 'Connection: close' http://10.200.1.245:9000/");
  expect(balanceScript({ clusterIP: '10.200.1.245', port: 9000, requests: 3, client: 'bash-tcp' })).toContain('exec 3<>/dev/tcp/10.200.1.245/9000');
});

test('arp script: parallel arpings framed by markers', () => {
  const s = arpScript([{ target: '10.200.1.1', kind: 'clusterIP' }, { target: '172.18.0.3', kind: 'node' }]);
  expect(s.match(/arping -c 2 -w 3 -I eth0/g)).toHaveLength(2);
  expect(s).toContain("echo '=== arping 172.18.0.3'");
});

test('verdict matrix marks the claims a scenario must fail, failures in capitals and unexpected verdicts with !', () => {
  const m = formatMatrix([
    { scenario: 'b', expected: { 'strict-arp': 'fail', 'ipvs-rr-balanced': 'pass' }, statuses: { 'strict-arp': 'fail', 'ipvs-rr-balanced': 'pass' } },
    { scenario: 'a', expected: { 'strict-arp': 'fail' }, statuses: { 'strict-arp': 'pass' } },
  ], ['a', 'b']);
  const [head, a, b] = m.split('\n');
  expect(head).toMatch(/^scenario\s+C1\s+C2\s+C3\s+C4\s+C5\s+C6/);
  expect(a).toMatch(/^a\s+—\s+—\s+—\s+pass\*!/);
  expect(b).toMatch(/^b\s+—\s+—\s+pass\s+FAIL\*/);
});

test('bar chart SVG escapes labels and scales bars', () => {
  const svg = barChart('t<1>', [{ label: 'a&b', value: 10 }, { label: 'c', value: 5 }]);
  expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  expect(svg).toContain('t&#60;1&#62;');
  expect(svg).toContain('a&#38;b');
  const widths = [...svg.matchAll(/<rect x="190" y="\d+" width="(\d+)"/g)].map((m) => Number(m[1]));
  expect(widths[0]).toBe(2 * widths[1]!);
});
