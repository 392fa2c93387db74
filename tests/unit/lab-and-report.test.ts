// Pure pieces around the lab and the report: the seed topology, kube-proxy's sync metrics, probe scripts, the
// verdict matrix and the SVG charts. (That the lab's real kube-proxy programs what the claims expect is the lab.)
import { expect, test } from '@playwright/test';
import { arpScript, balanceScript } from '../../helpers/collectors/probes.js';
import { nodeConfigYaml, parseSyncMetrics, seedKubeProxyConfig, syncedSince } from '../../helpers/lab/kube-proxy.js';
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

test('kube-proxy config: the ConfigMap content plus what each node says itself', () => {
  const yaml = nodeConfigYaml(seedKubeProxyConfig({ strictARP: false, scheduler: 'wrr' }), 'n1', '/k/kubeconfig', 'iptables');
  expect(yaml).toContain('hostnameOverride: n1');
  expect(yaml).toContain('kubeconfig: /k/kubeconfig');
  expect(yaml).toContain('mode: iptables');
  expect(yaml).toMatch(/strictARP: false/);
  expect(yaml).toMatch(/scheduler: wrr/);
  expect(yaml).toContain('metricsBindAddress: 0.0.0.0:10249');
});

test('a complete sync: a proxier saw the change and no IP family has a sync pending', () => {
  const metrics = (last4: number, queued4: number, last6 = last4, queued6 = queued4) => [
    '# HELP kubeproxy_sync_proxy_rules_last_timestamp_seconds x',
    `kubeproxy_sync_proxy_rules_last_timestamp_seconds{ip_family="IPv4"} ${last4}`,
    `kubeproxy_sync_proxy_rules_last_timestamp_seconds{ip_family="IPv6"} ${last6}`,
    `kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds{ip_family="IPv4"} ${queued4}`,
    `kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds{ip_family="IPv6"} ${queued6}`,
  ].join('\n');
  expect(syncedSince(parseSyncMetrics(metrics(1.7e9 + 10, 1.7e9 + 5)), 1.7e9)).toBe(true);
  expect(syncedSince(parseSyncMetrics(metrics(1.7e9 + 10, 1.7e9 + 11)), 1.7e9), 'a change queued after the last sync').toBe(false);
  expect(syncedSince(parseSyncMetrics(metrics(1.7e9 + 10, 1.7e9 - 5)), 1.7e9), 'the change was not yet seen').toBe(false);
  expect(syncedSince(parseSyncMetrics(metrics(1.7e9 + 10, 1.7e9 + 5, 1.7e9 - 1)), 1.7e9), 'IPv6 not synced yet').toBe(false);
  expect(syncedSince(parseSyncMetrics(metrics(1.7e9 + 10, 1.7e9 + 5, 1.7e9 - 20, 1.7e9 - 30)), 1.7e9), 'the IPv6 proxier ignores an IPv4-only change').toBe(true);
  expect(syncedSince(parseSyncMetrics(''), 0), 'no metrics: kube-proxy not up').toBe(false);
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
