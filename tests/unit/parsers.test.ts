import { expect, test } from '@playwright/test';
import { parseArpingReplies } from '../../helpers/parsers/arping.js';
import { parseIpAddrJson } from '../../helpers/parsers/ip-addr.js';
import { parseIpsetList } from '../../helpers/parsers/ipset.js';
import { parseIptablesSave, tokenize } from '../../helpers/parsers/iptables-save.js';
import { hexToIPv4, ipvsConfigLines, parseIpvsadm, parseProcNetIpVs } from '../../helpers/parsers/ipvs-table.js';
import { ParseError } from '../../helpers/parsers/parse-error.js';
import { parseSysctl } from '../../helpers/parsers/sysctl.js';
import { parseHostnames } from '../../helpers/parsers/whoami.js';
import { sample } from './samples.js';

test.describe('ip -j addr show', () => {
  test('reads kube-ipvs0 addresses and DOWN state from a real kernel', () => {
    const ifs = parseIpAddrJson(sample('ip-j-addr-show_kube-ipvs0_uml.txt'));
    const dev = ifs.get('kube-ipvs0')!;
    expect(dev.ipv4).toEqual(['10.96.0.1/32', '10.96.0.10/32']);
    expect(dev.operstate).toBe('DOWN');
    expect(ifs.get('lo')!.ipv4).toEqual(['127.0.0.1/8']);
  });
  test('rejects text that is not JSON, naming the source', () => {
    expect(() => parseIpAddrJson('3: kube-ipvs0: <BROADCAST,NOARP>', 'nodes/w1/ip-addr.json')).toThrow(/nodes\/w1\/ip-addr.json: is not JSON/);
  });
});

test.describe('/proc/net/ip_vs', () => {
  test('decodes hex addresses, ports, scheduler, Masq, weight and counters', () => {
    const [tcp, udp] = parseProcNetIpVs(sample('proc-net-ip_vs_uml.txt'));
    expect(tcp).toMatchObject({ protocol: 'TCP', address: '10.96.0.1', port: 443, scheduler: 'rr' });
    expect(tcp!.realServers).toEqual([{ address: '172.18.0.2', port: 6443, forward: 'Masq', weight: 1, activeConn: 0, inactConn: 0 }]);
    expect(udp).toMatchObject({ protocol: 'UDP', address: '10.96.0.10', port: 53 });
    expect(udp!.realServers.map((r) => [r.address, r.weight])).toEqual([['10.244.0.3', 0], ['10.244.0.2', 1]]);
  });
  test('hex to dotted quad', () => {
    expect(hexToIPv4('0AC801F5')).toBe('10.200.1.245');
  });
  test('reads the persistent flag, whose timeout /proc prints in jiffies (real kube-proxy: 600 s at HZ 100 read 60000)', () => {
    const text = 'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\nTCP  0AC80101:01BB rr persistent 60000 FFFFFFFF\n  -> AC120003:192B      Masq    1      2          7         \n';
    const [vs] = parseProcNetIpVs(text);
    expect(vs).toMatchObject({ persistentTicks: 60000, address: '10.200.1.1', port: 443 });
    expect(vs!.persistent).toBeUndefined();
    expect(vs!.realServers[0]).toMatchObject({ address: '172.18.0.3', port: 6443, activeConn: 2, inactConn: 7 });
  });
  test('rejects empty and foreign text', () => {
    expect(() => parseProcNetIpVs('', 'nodes/w1/proc-net-ip_vs.txt')).toThrow(ParseError);
    expect(() => parseProcNetIpVs('cat: /proc/net/ip_vs: No such file or directory\n')).toThrow(/not an IPVS table header/);
  });
});

test.describe('ipvsadm -Ln', () => {
  test('a kind node table with TCP and UDP', () => {
    const table = parseIpvsadm(sample('ipvsadm-Ln_kind_tkng.txt', 'IP Virtual Server'));
    expect(table).toHaveLength(12);
    const dns = table.find((v) => v.protocol === 'UDP' && v.address === '10.96.0.10')!;
    expect(dns.realServers.map((r) => `${r.address}:${r.port}/${r.inactConn}`)).toEqual(['10.244.0.3:53/8', '10.244.0.4:53/8']);
  });
  test('the persistent flag from sessionAffinity ClientIP', () => {
    const table = parseIpvsadm(sample('ipvsadm-Ln_persistent_opsnull-251.txt', 'IP Virtual Server'));
    expect(table.find((v) => v.address === '10.254.0.1')).toMatchObject({ persistent: 10800, scheduler: 'rr' });
    expect(table.find((v) => v.address === '10.254.0.2')!.persistent).toBeUndefined();
  });
  test('SCTP services (the sample is cut off mid-line at its end, which must be an error)', () => {
    const text = sample('ipvsadm-Ln_k8s-pr-81477.txt', 'IP Virtual Server');
    expect(() => parseIpvsadm(text)).toThrow(/not a real server line/);
    const whole = parseIpvsadm(text.trimEnd().split('\n').slice(0, -1).join('\n'));
    expect(whole.filter((v) => v.protocol === 'SCTP').map((v) => v.realServers.length)).toEqual([3, 2]);
  });
  test('reads the same configuration as /proc/net/ip_vs of the same real kernel table', () => {
    const fromIpvsadm = ipvsConfigLines(parseIpvsadm(sample('ipvsadm-Ln_uml.txt')));
    expect(fromIpvsadm).toEqual(ipvsConfigLines(parseProcNetIpVs(sample('proc-net-ip_vs_uml.txt'))));
    expect(fromIpvsadm).toContain('UDP/10.96.0.10:53 rr -> 10.244.0.3:53 Masq 0');
  });
});

test.describe('ipset list', () => {
  test('sets, types, headers and members (real kernel, two sets)', () => {
    const sets = parseIpsetList(sample('ipset-list_uml.txt'));
    expect([...sets.keys()]).toEqual(['KUBE-CLUSTER-IP', 'KUBE-NODE-PORT-TCP']);
    expect(sets.get('KUBE-CLUSTER-IP')!.type).toBe('hash:ip,port');
    expect([...sets.get('KUBE-CLUSTER-IP')!.members]).toEqual(['10.96.0.1,tcp:443', '10.96.0.10,udp:53']);
    expect(sets.get('KUBE-NODE-PORT-TCP')).toMatchObject({ type: 'bitmap:port', header: 'range 0-65535' });
    expect(sets.get('KUBE-NODE-PORT-TCP')!.members.size).toBe(0);
  });
  test('hash:ip,port,ip members of KUBE-LOOP-BACK on kind', () => {
    const text = sample('ipset-list-KUBE-CLUSTER-IP_kind_tkng.txt', 'Name:').replace(/^\$ .*$/m, '');
    const sets = parseIpsetList(text);
    expect(sets.get('KUBE-CLUSTER-IP')!.members.size).toBe(9);
    expect(sets.get('KUBE-LOOP-BACK')!.members.has('10.244.1.6,tcp:80,10.244.1.6')).toBe(true);
  });
  test('members with options keep only the element', () => {
    const sets = parseIpsetList('Name: S\nType: hash:ip\nHeader: family inet timeout 30\nMembers:\n10.0.0.1 timeout 29\n');
    expect([...sets.get('S')!.members]).toEqual(['10.0.0.1']);
  });
  test('rejects output with no set, naming the source', () => {
    expect(() => parseIpsetList('ipset v7.17: Kernel error received: ipset protocol error\n', 'ipset.txt')).toThrow(/ipset.txt: line 1/);
  });
});

test.describe('iptables-save', () => {
  test('IPVS mode: match sets and targets on reordered arguments', () => {
    const dump = parseIptablesSave('*nat\n' + sample('iptables-save-nat_ipvs-mode_kubeadm-1461.txt') + '\nCOMMIT\n');
    const masq = dump.rules.find((r) => r.chain === 'KUBE-SERVICES' && r.target === 'KUBE-MARK-MASQ')!;
    expect(masq.matchSets).toEqual(['KUBE-CLUSTER-IP']);
    expect(masq.destination).toBeUndefined();
    expect(masq.tokens).toContain('Kubernetes service cluster ip + port for masquerade purpose');
    expect(dump.rules.filter((r) => r.matchSets.includes('KUBE-CLUSTER-IP'))).toHaveLength(2);
  });
  test('iptables mode: per-service chains, -d ClusterIP and statistic', () => {
    const dump = parseIptablesSave('*nat\n' + sample('iptables-save-nat_iptables-mode_k8s-47533.txt').split('\n').slice(0, -2).join('\n') + '\nCOMMIT\n');
    expect(dump.rules.filter((r) => r.destination === '10.96.0.1/32').map((r) => r.target)).toEqual(['KUBE-MARK-MASQ', 'KUBE-SVC-NPX46M4PTMTKRN6Y']);
    expect([...dump.chains.get('nat')!].filter((c) => c.startsWith('KUBE-SVC-'))).toEqual(['KUBE-SVC-ERIFXISQEP7F7OF4', 'KUBE-SVC-NPX46M4PTMTKRN6Y']);
  });
  test('negated -d is not a destination; chain declarations are kept', () => {
    const dump = parseIptablesSave('# Generated\n*filter\n:INPUT ACCEPT [0:0]\n:KUBE-FORWARD - [0:0]\n-A INPUT ! -d 10.0.0.1/32 -j KUBE-FORWARD\nCOMMIT\n');
    expect(dump.rules[0]!.destination).toBeUndefined();
    expect([...dump.chains.get('filter')!]).toEqual(['INPUT', 'KUBE-FORWARD']);
  });
  test('tokenize keeps quoted comments whole', () => {
    expect(tokenize('-A X -m comment --comment "a \\"b\\" c" -j Y')).toEqual(['-A', 'X', '-m', 'comment', '--comment', 'a "b" c', '-j', 'Y']);
  });
  test('rejects a rule before any table and non-iptables text', () => {
    expect(() => parseIptablesSave('-A KUBE-SERVICES -j ACCEPT\n', 'x.txt')).toThrow(/x.txt: line 1: rule or chain outside a "\*table" … COMMIT block/);
    expect(() => parseIptablesSave('Chain INPUT (policy ACCEPT)\n')).toThrow(/holds no|not iptables-save/);
  });
});

test.describe('sysctl, arping, whoami', () => {
  test('sysctl from a real kernel', () => {
    expect(Object.fromEntries(parseSysctl(sample('sysctl-arp_uml.txt')))).toEqual({ 'net.ipv4.conf.all.arp_ignore': '1', 'net.ipv4.conf.all.arp_announce': '2' });
    expect(() => parseSysctl('sysctl: cannot stat /proc/sys/net/foo: No such file\n', 'sysctl.txt')).toThrow(/sysctl.txt: line 1/);
    expect(() => parseSysctl('\n', 'sysctl.txt')).toThrow(/empty/);
  });
  test('arping reply counts (iputils format)', () => {
    expect(parseArpingReplies('ARPING 10.0.0.1 from 10.0.0.2 eth0\nSent 2 probes (2 broadcast(s))\nReceived 0 response(s)\n')).toBe(0);
    expect(parseArpingReplies('Unicast reply from 172.18.0.3 [aa:bb]  0.6ms\nSent 2 probes (1 broadcast(s))\nReceived 2 response(s)\n')).toBe(2);
    expect(() => parseArpingReplies('arping: socket: Operation not permitted')).toThrow(ParseError);
  });
  test('whoami hostnames', () => {
    expect(parseHostnames('Hostname: webpod1\nIP: 10.10.1.2\nHostname: webpod2\n')).toEqual(['webpod1', 'webpod2']);
  });
});

test.describe('iptables-save rules', () => {
  test('a -g target, every --match-set, and -d only when not negated', () => {
    const dump = parseIptablesSave('*nat\n:KUBE-X - [0:0]\n-A KUBE-SERVICES ! -d 10.0.0.1/32 -m set --match-set KUBE-LOOP-BACK dst,dst,src -m set --match-set KUBE-CLUSTER-IP dst,dst -g KUBE-X\n-A KUBE-X -d 10.200.1.1/32 -j RETURN\nCOMMIT\n');
    expect(dump.rules[0]).toMatchObject({ chain: 'KUBE-SERVICES', target: 'KUBE-X', matchSets: ['KUBE-LOOP-BACK', 'KUBE-CLUSTER-IP'] });
    expect(dump.rules[0]!.destination).toBeUndefined();
    expect(dump.rules[1]!.destination).toBe('10.200.1.1/32');
    expect([...dump.chains.get('nat')!]).toEqual(['KUBE-X', 'KUBE-SERVICES']);
  });
});


test.describe('parser edge cases the mutation score asked for', () => {
  const IPVS_HEAD = 'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n';
  test('IPv6 and firewall-mark services read the same from /proc/net/ip_vs (expanded, hex) and ipvsadm (compressed, decimal)', () => {
    const proc = `${IPVS_HEAD}TCP  [fd00:0000:0000:0000:0000:0000:0000:0001]:01BB rr persistent 1080000\n  -> [fd00:0000:0000:0000:0000:0000:0000:0a02]:0050      Masq    12     3          14\nFWM  0000000A rr\n  -> AC120003:0000      Route   1      0          0\n`;
    const adm = `${IPVS_HEAD}TCP  [fd00::1]:443 rr persistent 10800\n  -> [fd00::a02]:80                Masq    12     3          14\nFWM  10 rr\n  -> 172.18.0.3:0                  Route   1      0          0\n`;
    const [v6, fwm] = parseProcNetIpVs(proc);
    expect(v6).toMatchObject({ protocol: 'TCP', address: 'fd00::1', port: 443, persistentTicks: 1080000 });
    expect(v6!.realServers[0]).toEqual({ address: 'fd00::a02', port: 80, forward: 'Masq', weight: 12, activeConn: 3, inactConn: 14 });
    expect(fwm).toMatchObject({ protocol: 'FWM', address: '10', port: 0 });
    expect(ipvsConfigLines(parseIpvsadm(adm))).toEqual(ipvsConfigLines(parseProcNetIpVs(proc)));
    expect(ipvsConfigLines(parseIpvsadm(adm))).toContain('TCP/fd00::1:443 rr persistent -> fd00::a02:80 Masq 12');
  });
  test('addresses must be whole: no trailing text, no malformed IPv6, ports in range', () => {
    for (const bad of ['TCP  [fd00::zz]:443 rr', 'TCP  [fd00::1]:443x rr', 'TCP  10.0.0.1:80x rr', 'TCP  x10.0.0.1:80 rr', 'TCP  10.0.0.1:99999 rr']) {
      expect(() => parseIpvsadm(`${IPVS_HEAD}${bad}\n`, 'ipvsadm.txt'), bad).toThrow(/ipvsadm\.txt: line 4: cannot read address/);
    }
    for (const bad of ['TCP  [fd00::1]:01BBX rr', 'TCP  [fd00::1]:1BB rr', 'TCP  []:01BB rr', 'TCP  [fd00::1]:GGGG rr']) {
      expect(() => parseProcNetIpVs(`${IPVS_HEAD}${bad}\n`, 'p.txt'), bad).toThrow(/p\.txt: line 4: cannot read address/);
    }
  });
  test('each header line is checked, and --rate output is named as such', () => {
    const variants = [
      'IP Virtual Server version 1.2.1 (size=4096)\nProto LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n',
      'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Sched Flags\n  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n',
      'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  => RemoteAddress:Port Forward Weight ActiveConn InActConn\n',
      'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port Fwd Weight ActiveConn InActConn\n',
      'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port Forward W ActiveConn InActConn\n',
    ];
    for (const v of variants) expect(() => parseIpvsadm(v), v).toThrow(/lacks the header lines/);
    expect(() => parseIpvsadm('IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n  -> RemoteAddress:Port\n')).toThrow('ipvsadm -Ln: is ipvsadm --stats or --rate output; expected ipvsadm -Ln');
  });
  test('a virtual server line needs protocol, address and scheduler; counters are whole numbers of any size', () => {
    expect(() => parseIpvsadm(`${IPVS_HEAD}TCP  10.0.0.1:80\n`, 'a.txt')).toThrow('a.txt: line 4: not a virtual server line: TCP 10.0.0.1:80');
    expect(() => parseIpvsadm(`${IPVS_HEAD}ICMP  10.0.0.1:80 rr\n`, 'a.txt')).toThrow(/not a virtual server line/);
    const [vs] = parseIpvsadm(`${IPVS_HEAD}UDP  10.0.0.1:53 wrr\n  -> 10.10.0.2:53 Masq 100 25 1234\n`);
    expect(vs!.realServers[0]).toMatchObject({ weight: 100, activeConn: 25, inactConn: 1234 });
  });
  test('iptables-save: a stray COMMIT, a rule after COMMIT and foreign lines are errors with their line number', () => {
    expect(() => parseIptablesSave('*nat\nCOMMIT\nCOMMIT\n', 'x.txt')).toThrow('x.txt: line 3: COMMIT outside a table');
    expect(() => parseIptablesSave('*nat\nCOMMIT\n-A KUBE-X -j RETURN\n', 'x.txt')).toThrow(/x\.txt: line 3: rule or chain outside/);
    const long = `Chain INPUT (policy ACCEPT) ${'x'.repeat(100)}`;
    const err = (() => { try { parseIptablesSave(`*nat\n${long}\nCOMMIT\n`, 'x.txt'); } catch (e) { return (e as Error).message; } return ''; })();
    expect(err).toMatch(/^x\.txt: line 2: not iptables-save syntax: "Chain INPUT/);
    expect(err.length, 'the quoted line is cut short').toBeLessThan(120);
  });
  test('ip -j addr: a non-array is named; addr_info that is not a list means no addresses', () => {
    expect(() => parseIpAddrJson('{}', 'ip.json')).toThrow('ip.json: expected a JSON array of interfaces');
    expect(parseIpAddrJson('[{"ifname":"lo","addr_info":"none"}]').get('lo')!.ipv4).toEqual([]);
  });
  test('ipset members: the element only, whatever whitespace and options follow', () => {
    const sets = parseIpsetList('Name: S\nType: hash:ip,port\nHeader: family inet\nMembers:\n10.0.0.1,tcp:80\ttimeout 30\n  10.0.0.2,udp:53   packets 5\n');
    expect([...sets.get('S')!.members]).toEqual(['10.0.0.1,tcp:80', '10.0.0.2,udp:53']);
    expect(parseIpsetList('Name: T\nType: hash:ip\nHeader: x\nNot Members:\n10.0.0.1\n').get('T')!.members.size, 'only a "Members:" line starts the list').toBe(0);
  });
  test('sysctl without spaces around "=", and parse errors name themselves', () => {
    expect(parseSysctl('net.ipv4.ip_forward=1\n').get('net.ipv4.ip_forward')).toBe('1');
    const e = (() => { try { parseSysctl('junk\n', 's.txt'); } catch (x) { return x as Error; } return undefined; })();
    expect(e).toBeInstanceOf(ParseError);
    expect(e!.name).toBe('ParseError');
  });
  test('arping: a long unreadable output is quoted short', () => {
    const e = (() => { try { parseArpingReplies('x'.repeat(500), 'arp'); } catch (x) { return (x as Error).message; } return ''; })();
    expect(e).toMatch(/^arp: has no "Received N response\(s\)" line: "x+"$/);
    expect(e.length).toBeLessThan(200);
  });
  test('whoami: only whole "Hostname: <name>" lines count', () => {
    expect(parseHostnames('Hostname: a\nxHostname: b\nHostname: c d\nHostname:e\nHostname:   f   \nIP: 1\n')).toEqual(['a', 'e', 'f']);
  });
});

test.describe('parser details the second mutation run asked for', () => {
  const HEAD = 'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port  Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n';
  const catchMessage = (f: () => unknown) => { try { f(); } catch (e) { return (e as Error).message; } return ''; };
  test('default sources name the command when no file is given', () => {
    expect(catchMessage(() => parseIpAddrJson('x'))).toMatch(/^ip -j addr show: is not JSON/);
    expect(catchMessage(() => parseIpsetList('junk\n'))).toMatch(/^ipset list: line 1: expected "Name: <set>"/);
    expect(catchMessage(() => parseIptablesSave('junk\n'))).toMatch(/^iptables-save: line 1: not iptables-save syntax/);
    expect(catchMessage(() => parseIpvsadm('junk\n'))).toMatch(/^ipvsadm -Ln: line 1 is not an IPVS table header/);
  });
  test('ip -j addr: a missing ifname is named by position; flags and operstate default', () => {
    expect(catchMessage(() => parseIpAddrJson('[{"ifname":"lo"},{}]', 'i.json'))).toBe('i.json: interface [1] has no "ifname"');
    expect(parseIpAddrJson('[{"ifname":"lo"}]').get('lo')).toEqual({ name: 'lo', flags: [], operstate: 'UNKNOWN', ipv4: [], ipv6: [] });
  });
  test('ipset: empty output is no sets; trimmed fields; a set needs its Type; a trailing space after Members:', () => {
    expect(parseIpsetList('').size).toBe(0);
    const s = parseIpsetList('Name: S \nType: hash:ip \nHeader: family inet \nMembers: \n10.0.0.1\n').get('S')!;
    expect(s).toMatchObject({ type: 'hash:ip', header: 'family inet' });
    expect([...s.members]).toEqual(['10.0.0.1']);
    expect(catchMessage(() => parseIpsetList('Name: S\nHeader: x\n', 'i.txt'))).toBe('i.txt: set S has no "Type:" line');
    expect(catchMessage(() => parseIpsetList('\n\n', 'i.txt'))).toBe('i.txt: is empty; expected ipset list output');
  });
  test('iptables-save: a table name is trimmed; only -A lines are rules', () => {
    const dump = parseIptablesSave('*nat \n:KUBE-A - [0:0]\n-A KUBE-A -j RETURN\nCOMMIT\n');
    expect([...dump.chains.keys()]).toEqual(['nat']);
    expect(dump.rules.map((r) => `${r.table}/${r.chain}`)).toEqual(['nat/KUBE-A']);
  });
  test('IPVS addresses are anchored at both ends in both sources; port 65535 is a port', () => {
    for (const bad of ['x0A000001:0050 rr', '0A000001:0050x rr']) expect(() => parseProcNetIpVs(`${HEAD}TCP  ${bad}\n`), bad).toThrow(/cannot read address/);
    expect(() => parseProcNetIpVs(`${HEAD}TCP  x[fd00::1]:0050 rr\n`)).toThrow(/cannot read address/);
    expect(() => parseIpvsadm(`${HEAD}TCP  x[fd00::1]:80 rr\n`)).toThrow(/cannot read address/);
    expect(parseIpvsadm(`${HEAD}TCP  10.0.0.1:65535 rr\n`)[0]!.port).toBe(65535);
  });
  test('IPVS headers: a lone first line and extra spaces are handled; real-server errors say where', () => {
    expect(catchMessage(() => parseIpvsadm('IP Virtual Server version 1.2.1 (size=4096)\n', 'h.txt'))).toMatch(/^h\.txt: lacks the header lines/);
    expect(parseIpvsadm(`${HEAD}TCP  10.0.0.1:80 rr\n`)).toHaveLength(1);
    expect(catchMessage(() => parseIpvsadm(`${HEAD}  -> 10.0.0.2:80 Masq 1 0 0\n`, 'h.txt'))).toBe('h.txt: line 4: real server before any virtual server');
    expect(catchMessage(() => parseIpvsadm(`${HEAD}TCP  10.0.0.1:80 rr\n  -> 10.0.0.2:80 Masq x 0 0\n`, 'h.txt'))).toBe('h.txt: line 5: not a real server line: -> 10.0.0.2:80 Masq x 0 0');
  });
  test('sysctl: values of several words; blank and space-only lines are skipped', () => {
    const m = parseSysctl('net.ipv4.tcp_rmem = 4096 131072 6291456\n   \n\nnet.ipv4.ip_forward = 1\n');
    expect(m.get('net.ipv4.tcp_rmem')).toBe('4096 131072 6291456');
    expect(m.size).toBe(2);
  });
  test('arping: a reply count of several digits', () => {
    expect(parseArpingReplies('Sent 12 probes (1 broadcast(s))\nReceived 12 response(s)\n')).toBe(12);
  });
});

test('iptables-save: comments alone are not a dump', () => {
  expect(() => parseIptablesSave('# Generated by iptables-save v1.8.9\n', 'c.txt')).toThrow('c.txt: holds no "*table" line; not iptables-save output');
});
