// Judge-only tests of each claim, both directions, on small synthetic snapshots. The real-kernel proof of the
// same claims is the lab (tests/lab); these pin the judging logic and its messages.
import { expect, test } from '@playwright/test';
import { chiSquareUniform, gammaQ } from '../../helpers/claims/stats.js';
import { NODE0, traffic, verdictOf } from './snapshot-kit.js';

const out = () => test.info().outputPath('kit');

test.describe('kube-ipvs0-holds-clusterips', () => {
  test('passes when every ClusterIP is bound, although the device is DOWN', async () => {
    expect((await verdictOf(out(), 'kube-ipvs0-holds-clusterips')).status).toBe('pass');
  });
  test('fails naming the node and the missing ClusterIP', async () => {
    const v = await verdictOf(out(), 'kube-ipvs0-holds-clusterips', {
      tweak: (n, f) => { if (n === NODE0) f.ipAddr = f.ipAddr!.replace('"local":"10.96.0.3"', '"local":"10.96.9.9"'); },
    });
    expect(v.status).toBe('fail');
    expect(v.message).toBe('ipvs-node-0: kube-ipvs0 lacks ClusterIP 10.96.0.3 (bench/svc-1)');
  });
  test('fails when a node has no kube-ipvs0', async () => {
    const v = await verdictOf(out(), 'kube-ipvs0-holds-clusterips', { tweak: (n, f) => { if (n === NODE0) f.ipAddr = f.ipAddr!.replace('kube-ipvs0', 'dummy0'); } });
    expect(v.message).toBe('ipvs-node-0: has no kube-ipvs0 interface');
  });
});

test.describe('ipvs-services-match-endpoints', () => {
  test('passes with exactly the ready endpoints', async () => {
    expect((await verdictOf(out(), 'ipvs-services-match-endpoints')).status).toBe('pass');
  });
  test('fails on an extra real server, a weight-0 endpoint, a wrong scheduler and a missing VS', async () => {
    const v = await verdictOf(out(), 'ipvs-services-match-endpoints', {
      tweak: (n, f) => {
        if (n !== NODE0) return;
        f.procIpvs = f.procIpvs!
          .replace('TCP  0A600002:0050 rr  \n', 'TCP  0A600002:0050 rr  \n  -> 0A0A0909:1F90      Masq    1      0          0\n')
          .replace('  -> 0AF40003:1F90      Masq    1', '  -> 0AF40003:1F90      Masq    0')
          .replace('TCP  0A600003:0050 rr', 'TCP  0A600003:0050 wrr')
          .replace(/TCP {2}0A600004:0050 rr {2}\n( {2}->.*\n){3}/, '');
      },
    });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('ipvs-node-0: TCP 10.96.0.2:80 (bench/svc-0) has extra real server 10.10.9.9:8080');
    expect(v.message).toContain('has 10.244.0.3:8080 at weight 0');
    expect(v.message).toContain('TCP 10.96.0.3:80 (bench/svc-1) uses scheduler wrr, expected rr');
    expect(v.message).toContain('TCP 10.96.0.4:80 (bench/svc-2) has no virtual server');
  });
  test('a non-ready endpoint must not be a real server', async () => {
    const v = await verdictOf(out(), 'ipvs-services-match-endpoints', { cluster: (c) => { c.services[0]!.ports[0]!.endpoints[0]!.ready = false; } });
    expect(v.message).toContain('has extra real server 10.244.0.2:8080 that is not a ready endpoint');
  });
});

test.describe('ipvs-rr-balanced', () => {
  test('skips without traffic.json, saying why', async () => {
    const v = await verdictOf(out(), 'ipvs-rr-balanced');
    expect(v).toMatchObject({ status: 'skip', message: expect.stringContaining('no traffic.json') });
  });
  test('passes on an exact and on a mildly uneven split', async () => {
    expect((await verdictOf(out(), 'ipvs-rr-balanced', { traffic: traffic({ 'svc-0-0': 100, 'svc-0-1': 100, 'svc-0-2': 100 }) })).status).toBe('pass');
    expect((await verdictOf(out(), 'ipvs-rr-balanced', { traffic: traffic({ 'svc-0-0': 110, 'svc-0-1': 95, 'svc-0-2': 95 }) })).status).toBe('pass');
  });
  test('fails on a skewed split with χ² and the counts in the message', async () => {
    const v = await verdictOf(out(), 'ipvs-rr-balanced', { traffic: traffic({ 'svc-0-0': 200, 'svc-0-1': 50, 'svc-0-2': 50 }) });
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/net-pod on ipvs-node-0 → 10\.96\.0\.2:80: split svc-0-0=200 svc-0-1=50 svc-0-2=50 is not uniform \(χ²=150\.00 df=2 p=/);
  });
  test('fails when a ready endpoint never answers, a stranger answers, or requests go unanswered', async () => {
    const v = await verdictOf(out(), 'ipvs-rr-balanced', { traffic: traffic({ 'svc-0-0': 50, 'svc-0-1': 50, intruder: 1, '<no-answer>': 2 }) });
    expect(v.message).toContain('ready endpoint svc-0-2 never answered');
    expect(v.message).toContain('intruder answered 1 times but is not a ready endpoint');
    expect(v.message).toContain('2 of 103 requests got no answer');
  });
  test('χ² p-values match known quantiles', () => {
    expect(gammaQ(1, 13.8155 / 2)).toBeCloseTo(0.001, 5); // χ²(df=2) 0.999 quantile
    expect(chiSquareUniform([100, 100, 100]).pValue).toBe(1);
    expect(chiSquareUniform([30, 10]).pValue).toBeCloseTo(0.001565, 5);
  });
});

test.describe('strict-arp', () => {
  const arp = (clusterReplies: number, nodeReplies: number) => [
    { from: 'mypc', target: '10.96.0.2', kind: 'clusterIP' as const, replies: clusterReplies },
    { from: 'mypc', target: '172.18.0.3', kind: 'node' as const, replies: nodeReplies },
  ];
  test('passes with strictARP, the sysctls, and a valid ARP probe', async () => {
    expect((await verdictOf(out(), 'strict-arp', { arp: arp(0, 2) })).status).toBe('pass');
  });
  test('fails on sysctls at 0 naming the node, and on config strictARP false', async () => {
    const v = await verdictOf(out(), 'strict-arp', {
      cluster: (c) => { c.kubeProxyConfig.ipvs!.strictARP = false; },
      tweak: (n, f) => { if (n === NODE0) f.sysctl = 'net.ipv4.conf.all.arp_ignore = 0\nnet.ipv4.conf.all.arp_announce = 2\n'; },
    });
    expect(v.message).toBe('kube-proxy config: ipvs.strictARP is not true; ipvs-node-0: net.ipv4.conf.all.arp_ignore = 0, expected 1');
  });
  test('fails when a ClusterIP answers ARP, and when the control got no reply (invalid probe)', async () => {
    expect((await verdictOf(out(), 'strict-arp', { arp: arp(2, 2) })).message).toBe('ClusterIP 10.96.0.2 answered ARP from mypc (2 replies)');
    expect((await verdictOf(out(), 'strict-arp', { arp: arp(0, 0) })).message).toMatch(/^ARP probe invalid: no node IP \(172\.18\.0\.3\) answered/);
  });
});

test.describe('ipset-replaces-per-service-rules', () => {
  test('passes on kube-proxy’s static IPVS rule set', async () => {
    expect((await verdictOf(out(), 'ipset-replaces-per-service-rules')).status).toBe('pass');
  });
  test('fails on a missing entry, a wrong set type, per-service chains and a -d ClusterIP rule', async () => {
    const v = await verdictOf(out(), 'ipset-replaces-per-service-rules', {
      tweak: (n, f) => {
        if (n !== NODE0) return;
        f.ipset = f.ipset!.replace('10.96.0.3,tcp:80\n', '').replace('Type: hash:ip,port', 'Type: hash:ip');
        f.iptablesSave = f.iptablesSave!.replace(':KUBE-MARK-MASQ - [0:0]', ':KUBE-MARK-MASQ - [0:0]\n:KUBE-SEP-ABC - [0:0]\n-A KUBE-SERVICES -d 10.96.0.2/32 -p tcp -m tcp --dport 80 -j KUBE-SEP-ABC');
      },
    });
    expect(v.message).toContain('ipvs-node-0: ipset KUBE-CLUSTER-IP has type hash:ip, expected hash:ip,port');
    expect(v.message).toContain('ipvs-node-0: ipset KUBE-CLUSTER-IP lacks 10.96.0.3,tcp:80');
    expect(v.message).toContain('ipvs-node-0: nat has per-service chain KUBE-SEP-ABC');
    expect(v.message).toContain('ipvs-node-0: nat rule in KUBE-SERVICES matches ClusterIP -d 10.96.0.2/32');
  });
  test('fails when no nat rule uses the set', async () => {
    const v = await verdictOf(out(), 'ipset-replaces-per-service-rules', {
      tweak: (n, f) => { if (n === NODE0) f.iptablesSave = f.iptablesSave!.split('\n').filter((l) => !(l.includes('KUBE-CLUSTER-IP') && l.includes('KUBE-SERVICES'))).join('\n'); },
    });
    expect(v.message).toBe('ipvs-node-0: no nat rule uses --match-set KUBE-CLUSTER-IP');
  });
});

test.describe('fewer-iptables-rules-than-iptables-mode', () => {
  test('skips without a baseline', async () => {
    expect((await verdictOf(out(), 'fewer-iptables-rules-than-iptables-mode', {}, false)).status).toBe('skip');
  });
  test('passes when the baseline carries the same services, giving both counts', async () => {
    const v = await verdictOf(out(), 'fewer-iptables-rules-than-iptables-mode', { baselineServices: 3 });
    expect(v.status).toBe('pass');
    expect(v.message).toMatch(/^at most 29 kube-proxy rules in IPVS mode \(ipvs-node-0\) < at least \d+ in iptables mode \(iptables-node-0\)$/);
  });
  test('fails against a baseline with too few services, naming both numbers', async () => {
    const v = await verdictOf(out(), 'fewer-iptables-rules-than-iptables-mode', { baselineServices: 0 });
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/^ipvs-node-0: 29 kube-proxy rules in IPVS mode, not below 18 on iptables-node-0 in iptables mode$/);
  });
});
