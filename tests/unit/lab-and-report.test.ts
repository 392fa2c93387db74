// Pure pieces around the lab and the report: kube-proxy-style rule rendering, probe scripts, the verdict
// matrix and the SVG charts. (Whether the rendered rules really work is what the lab itself proves.)
import { expect, test } from '@playwright/test';
import { expectedServicePorts } from '../../helpers/claims/expected.js';
import { arpScript, balanceScript } from '../../helpers/collectors/probes.js';
import { chainHash, iptablesModeRules, ipvsadmRules } from '../../helpers/lab/kube-proxy-emulator.js';
import { formatMatrix } from '../../helpers/lab/matrix.js';
import { labClusterJson, seedTopology } from '../../helpers/lab/topology.js';
import { barChart } from '../../helpers/report/svg.js';

const topo = seedTopology(0);
const ports = expectedServicePorts(labClusterJson(topo.nodes, topo.services, 'ipvs', true));

test('the seed topology: headless service excluded, kube-dns has three ports', () => {
  expect(ports.map((p) => `${p.protocol}/${p.clusterIP}:${p.port}`)).toEqual([
    'TCP/10.200.1.1:443', 'UDP/10.200.1.10:53', 'TCP/10.200.1.10:53', 'TCP/10.200.1.10:9153', 'TCP/10.200.1.245:9000',
  ]);
});

test('ipvsadm-restore lines: rr virtual servers, Masq real servers at weight 1', () => {
  const lines = ipvsadmRules(ports, 'rr');
  expect(lines).toContain('-A -u 10.200.1.10:53 -s rr');
  expect(lines).toContain('-a -t 10.200.1.245:9000 -r 10.10.3.2:80 -m -w 1');
  expect(lines.filter((l) => l.startsWith('-A'))).toHaveLength(5);
});

test('iptables mode: KUBE-SVC/KUBE-SEP chains with uniform statistic probabilities', () => {
  expect(chainHash('default/svc-clusterip:9000tcp')).toMatch(/^[A-Z2-7]{16}$/);
  const rules = iptablesModeRules(ports.filter((p) => p.service === 'default/svc-clusterip'));
  const probabilities = rules.filter((r) => r.includes('--probability')).map((r) => /--probability (\S+)/.exec(r)![1]);
  expect(probabilities).toEqual(['0.3333333333', '0.5000000000']);
  expect(rules.filter((r) => r.includes('-j DNAT'))).toHaveLength(3);
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

test('verdict matrix marks the targeted claim and shows failures in capitals', () => {
  const m = formatMatrix([{ scenario: 'b', breaks: 'strict-arp', statuses: { 'strict-arp': 'fail', 'ipvs-rr-balanced': 'pass' } }, { scenario: 'a', statuses: { 'strict-arp': 'pass' } }], ['a', 'b']);
  const [head, a, b] = m.split('\n');
  expect(head).toMatch(/^scenario\s+C1\s+C2\s+C3\s+C4\s+C5\s+C6/);
  expect(a).toMatch(/^a\s+—\s+—\s+—\s+pass/);
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
