import { expect, test } from '../../fixtures/index.js';
import { readLiveClusterJson } from '../../helpers/cluster/collect.js';
import { serviceArpTargets } from '../../helpers/collectors/probes.js';

test('strictARP is set and takes effect', { tag: '@strict-arp' }, async ({ k8s, mypc, snapshot }, testInfo) => {
  const cluster = await readLiveClusterJson(k8s);
  // Every ClusterIP and LB IP is bound on every node's kube-ipvs0; a node's own eth0 address is the control that must answer.
  const targets = () => serviceArpTargets(cluster, cluster.nodes.find((n) => n.name.endsWith('-worker'))!.internalIP);
  const snap = await snapshot.collect({ outside: { mypc: mypc.exec }, arp: { fromName: 'mypc', targets } });
  await testInfo.attach('arping from mypc', { body: snap.arpRaw ?? '' });
  const verdict = await snapshot.judge('strict-arp', snap);
  expect(verdict.status, verdict.message).toBe('pass');
});
