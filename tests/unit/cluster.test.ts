// Any cluster: the node agents' pod, the refusals a cluster can answer with, which namespaces a later run may
// remove, and where the seed's pods go on a cluster whose nodes are not named like kind's.
import { ApiException, type V1Node } from '@kubernetes/client-node';
import { expect, test } from '@playwright/test';
import { agentPod, expiresLabel, NODE_IPTABLES_SAVE, refusalLine } from '../../helpers/cluster/node-agents.js';
import { seedNodeMap } from '../../helpers/cluster/workload.js';

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
    'prod forbids the node agents (privileged, hostNetwork pods) when create a privileged hostNetwork pod in ns: pods "agent-0" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true), privileged (container "agent" must not set securityContext.privileged=true); see README "Your own cluster" for what they need',
  );
  const rbac = new ApiException(403, 'Forbidden', JSON.stringify({ message: 'namespaces is forbidden: User "ro" cannot create resource "namespaces" in API group "" at the cluster scope' }), {});
  expect(refusalLine('prod', 'create namespace x', rbac)).toMatch(/^prod: the credentials may not create namespace x \(namespaces is forbidden: User "ro" cannot create resource "namespaces" in API group "" at the cluster scope\); the node agents need: create, list and delete namespaces; /);
  expect(refusalLine('prod', 'x', new ApiException(500, 'boom', {}, {}))).toBeUndefined();
  expect(refusalLine('prod', 'x', new Error('socket hang up'))).toBeUndefined();
  const multi = new ApiException(400, 'Bad', { message: 'admission webhook "kyverno" denied the request:\n  disallow-privileged' }, {});
  expect(refusalLine('c', 'w', multi)).toBe('c forbids the node agents (privileged, hostNetwork pods) when w: admission webhook "kyverno" denied the request: disallow-privileged; see README "Your own cluster" for what they need');
});

test('the seed’s pods land on a cluster’s own nodes: control plane first, the workers in name order', () => {
  const map = seedNodeMap([node('w-b'), node('cp-1', true), node('w-a'), node('cp-0', true)]);
  expect(['myk8s-control-plane', 'myk8s-worker', 'myk8s-worker2', 'myk8s-worker3'].map(map)).toEqual(['cp-0', 'w-a', 'w-b', 'w-a']);
  const one = seedNodeMap([node('k3s-server', true)]);
  expect(['myk8s-control-plane', 'myk8s-worker3'].map(one)).toEqual(['k3s-server', 'k3s-server']);
  const untainted = seedNodeMap([node('n2'), node('n1')]);
  expect(['myk8s-control-plane', 'myk8s-worker', 'myk8s-worker2'].map(untainted)).toEqual(['n1', 'n1', 'n2']);
});
