// Any cluster: the node agents' pod, the refusals a cluster can answer with, which namespaces a later run may
// remove, and where the seed's pods go on a cluster whose nodes are not named like kind's.
import { ApiException, type V1Node } from '@kubernetes/client-node';
import { expect, test } from '@playwright/test';
import { agentPod, batchScript, expiresLabel, NODE_IPTABLES_SAVE, parseBatch, refusalLine } from '../../helpers/cluster/node-agents.js';
import { execa } from 'execa';
import { seedNodeMap } from '../../helpers/cluster/workload.js';
import { snapshotDifferences, stateOf } from '../../helpers/snapshot/equal.js';
import { isLeftover, runOf } from '../../helpers/lab/cleanup.js';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const node = (name: string, controlPlane = false): V1Node => ({ metadata: { name, labels: controlPlane ? { 'node-role.kubernetes.io/control-plane': '' } : {} } });

test('a node agent is pinned to its node, privileged in the node network, tolerates every taint and ends itself', () => {
  const pod = agentPod(2, 'ip-10-0-1-7.ec2.internal', 'nicolaka/netshoot:v0.13', 'run1');
  expect(pod.metadata).toEqual({ name: 'agent-2', labels: { 'ipvs-conformance/run': 'run1', app: 'ipvs-conformance-agent' } });
  expect(pod.spec).toMatchObject({ nodeName: 'ip-10-0-1-7.ec2.internal', hostNetwork: true, restartPolicy: 'Never', activeDeadlineSeconds: 1800, automountServiceAccountToken: false, tolerations: [{ operator: 'Exists' }] });
  expect(pod.spec!.containers).toEqual([{ name: 'agent', image: 'nicolaka/netshoot:v0.13', imagePullPolicy: 'IfNotPresent', command: ['sleep', '1800'], securityContext: { privileged: true } }]);
});

test('the agents read the iptables backend marked by KUBE-IPTABLES-HINT, nft first, else the image default', () => {
  expect(NODE_IPTABLES_SAVE).toBe('for b in nft legacy; do if iptables-$b-save -t mangle 2>/dev/null | grep -q KUBE-IPTABLES-HINT; then exec iptables-$b-save; fi; done; exec iptables-save');
});

test('a namespace the suite creates on a user cluster expires 30 minutes after it is made', () => {
  expect(expiresLabel(1_700_000_000_000)).toEqual({ 'ipvs-conformance/expires': '1700001800' });
  expect(expiresLabel(1_700_000_000_001)).toEqual({ 'ipvs-conformance/expires': '1700001801' });
});

test('refusals are one line: Pod Security or a policy names the agents; RBAC names the permissions', () => {
  const psa = new ApiException(403, 'Forbidden', { message: 'pods "agent-0" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true), privileged (container "agent" must not set securityContext.privileged=true)' }, {});
  expect(refusalLine('prod', 'create a privileged hostNetwork pod in ns', psa)).toBe(
    'prod forbids the node agents (privileged, hostNetwork pods): asked to create a privileged hostNetwork pod in ns, it answered: pods "agent-0" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true), privileged (container "agent" must not set securityContext.privileged=true); see README "Your own cluster" for what they need',
  );
  const rbac = new ApiException(403, 'Forbidden', JSON.stringify({ message: 'namespaces is forbidden: User "ro" cannot create resource "namespaces" in API group "" at the cluster scope' }), {});
  expect(refusalLine('prod', 'create namespace x', rbac)).toMatch(/^prod: the credentials may not create namespace x \(namespaces is forbidden: User "ro" cannot create resource "namespaces" in API group "" at the cluster scope\); the node agents need: create, list and delete namespaces; /);
  expect(refusalLine('prod', 'x', new ApiException(500, 'boom', {}, {}))).toBeUndefined();
  expect(refusalLine('prod', 'x', new Error('socket hang up'))).toBeUndefined();
  const multi = new ApiException(400, 'Bad', { message: 'admission webhook "kyverno" denied the request:\n  disallow-privileged' }, {});
  expect(refusalLine('c', 'w', multi)).toBe('c forbids the node agents (privileged, hostNetwork pods): asked to w, it answered: admission webhook "kyverno" denied the request: disallow-privileged; see README "Your own cluster" for what they need');
});

test('the seed’s pods land on a cluster’s own nodes: control plane first, the workers in name order', () => {
  const map = seedNodeMap([node('w-b'), node('cp-1', true), node('w-a'), node('cp-0', true)]);
  expect(['myk8s-control-plane', 'myk8s-worker', 'myk8s-worker2', 'myk8s-worker3'].map(map)).toEqual(['cp-0', 'w-a', 'w-b', 'w-a']);
  const one = seedNodeMap([node('k3s-server', true)]);
  expect(['myk8s-control-plane', 'myk8s-worker3'].map(one)).toEqual(['k3s-server', 'k3s-server']);
  const untainted = seedNodeMap([node('n2'), node('n1')]);
  expect(['myk8s-control-plane', 'myk8s-worker', 'myk8s-worker2'].map(untainted)).toEqual(['n1', 'n1', 'n2']);
});

test('snapshot equality: dump times, packet counters and connection counts are no state; a weight, a rule or a missing file is', async () => {
  const src = join(import.meta.dirname, '..', '..', 'fixtures', 'lab-snapshots');
  const a = test.info().outputPath('a');
  const b = test.info().outputPath('b');
  const files = { 'nodes/w/proc-net-ip_vs.txt': 'conforming/nodes/myk8s-worker/proc-net-ip_vs.txt', 'nodes/w/ipvsadm.txt': 'conforming/nodes/myk8s-worker/ipvsadm.txt', 'nodes/w/iptables-save.txt': 'conforming/nodes/myk8s-worker/iptables-save.txt', 'nodes/w/nft-ruleset.txt': 'migration-iptables/nodes/myk8s-worker/nft-ruleset.txt', 'cluster.json': 'conforming/cluster.json' };
  for (const [to, from] of Object.entries(files)) {
    const text = await readFile(join(src, from), 'utf8');
    for (const d of [a, b]) {
      await mkdir(join(d, 'nodes', 'w'), { recursive: true });
      await writeFile(join(d, to), text);
    }
  }
  const edit = async (file: string, f: (t: string) => string) => writeFile(join(b, file), f(await readFile(join(b, file), 'utf8')));
  await edit('nodes/w/iptables-save.txt', (t) => t.replace(/on \w{3} \w{3} .*$/gm, 'on Tue Dec  1 00:00:00 2026').replace(/\[0:0\]/, '[77:4620]'));
  await edit('nodes/w/nft-ruleset.txt', (t) => t.replace('counter packets 0 bytes 0', 'counter packets 12 bytes 720'));
  await edit('nodes/w/proc-net-ip_vs.txt', (t) => t.replace(/(Masq {4}1 {6})0 {10}0/, '$13          41'));
  await edit('nodes/w/ipvsadm.txt', (t) => t.replace(/(Masq {4}1 {6})0 {10}0/, '$12          9'));
  expect(await snapshotDifferences(a, b)).toEqual([]);

  await edit('nodes/w/ipvsadm.txt', (t) => t.replace(/Masq {4}1 /, 'Masq    0 '));
  await edit('nodes/w/iptables-save.txt', (t) => t.replace(/^-A KUBE-SERVICES .*\n/m, ''));
  await rm(join(b, 'nodes/w/nft-ruleset.txt'));
  expect(await snapshotDifferences(a, b)).toEqual([
    `nodes/w/nft-ruleset.txt: only in ${a}`,
    'nodes/w/iptables-save.txt: line 53: "-A KUBE-SERVICES -s 127.0.0.0/8 -j RETURN" ≠ "-A KUBE-SERVICES -m comment --comment \\"Kubernetes service lb portal\\" -m set --match-set KUBE-LOAD-BALANCER dst,dst -j KUBE-LOAD-BALANCER"',
    'nodes/w/ipvsadm.txt: line 5: "  -> 10.10.1.2:80                 Masq    1" ≠ "  -> 10.10.1.2:80                 Masq    0"',
  ]);
});

test('stateOf keeps what is state: chain policies, rules, weights and header lines', () => {
  expect(stateOf('iptables-save.txt', '# Generated by x on y\n*nat\n:PREROUTING ACCEPT [96:5760]\n-A X -j Y\nCOMMIT\n# Completed')).toBe('*nat\n:PREROUTING ACCEPT [0:0]\n-A X -j Y\nCOMMIT');
  expect(stateOf('nft-ruleset.txt', 'ip daddr 10.0.0.1 counter packets 3 bytes 180 jump X')).toBe('ip daddr 10.0.0.1 counter jump X');
  expect(stateOf('proc-net-ip_vs.txt', '  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n  -> 0A0A0003:0035      Masq    1      4          9         ')).toBe('  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n  -> 0A0A0003:0035      Masq    1');
  expect(stateOf('ip-addr.json', '[1] [2:3]')).toBe('[1] [2:3]');
});

test('lab leftovers: this run’s processes and those of a run whose runner is dead, never a live run’s', () => {
  expect(runOf(`PATH=/bin\0IPVS_CONFORMANCE_LAB_RUN=4242\0HOME=/root\0`)).toBe('4242');
  expect(runOf(`PATH=/bin\0XIPVS_CONFORMANCE_LAB_RUN=1\0`)).toBeUndefined();
  const alive = (pid: number) => pid === 100 || pid === 200;
  expect(isLeftover('100', '100', alive)).toBe(true);
  expect(isLeftover('200', '100', alive)).toBe(false);
  expect(isLeftover('300', '100', alive)).toBe(true);
  expect(isLeftover('abc', '100', alive)).toBe(false);
  expect(isLeftover('0', '100', alive)).toBe(false);
});

test('an agent batch runs its commands in one shell and gives back each one’s output, errors and exit code', async () => {
  const commands = [['printf', 'a\nb\n'], ['sh', '-c', 'echo ünïcode; echo oops >&2; exit 3'], ['true'], ['no-such-command-here']];
  const r = await execa('sh', ['-c', batchScript(commands)]);
  const results = parseBatch(r.stdout, commands.length, 'agent on n1');
  expect(results.slice(0, 3)).toEqual([
    { exitCode: 0, stdout: 'a\nb\n', stderr: '' },
    { exitCode: 3, stdout: 'ünïcode\n', stderr: 'oops\n' },
    { exitCode: 0, stdout: '', stderr: '' },
  ]);
  expect(results[3]!.exitCode).toBe(127);
  expect(batchScript([['iptables-save']])).toContain(`sh -c '${NODE_IPTABLES_SAVE}'`);
  expect(() => parseBatch(r.stdout.split('\n').slice(0, 4).join('\n'), 4, 'agent on n1')).toThrow('agent on n1: the batch printed no result for command 2 of 4');
});
