// Lab scenarios, each a real cluster state produced by real kube-proxy after real events: the conforming cluster
// on two kube-proxy versions, kube-proxy down on one node during churn, graceful termination, strictARP off, a
// node moved from iptables to IPVS mode and a non-default scheduler. Each names the verdict it expects for all
// six claims, and the words a failing claim's message must contain (its node and address).
import type { ClaimId, Status } from '../claims/types.js';
import type { LabCluster, LabClusterOptions } from './lab-cluster.js';
import { DEPRECATING_PROXY_VERSION } from './kube-binaries.js';
import { deletePod, publishIngress, waitForSlices } from './kubelet.js';
import { DOWN_NODE, NEW_SERVICE, POLICY_SERVICES, SEED_SERVICE, SHAPES } from './topology.js';
import { FACTS, type Fact } from './facts.js';
import { stopPodScript } from './wiring.js';

export type ClaimVerdicts = Record<ClaimId, Status>;

export interface LabScenario {
  name: string;
  title: string;
  cluster?: Omit<LabClusterOptions, 'log'>;
  /** Real events after the first complete sync, before the snapshot is taken. */
  act?: (lab: LabCluster) => Promise<void>;
  expect: ClaimVerdicts;
  /** For each failing claim, words its message must contain. */
  mustName?: Partial<Record<ClaimId, string[]>>;
  /** What else the scenario proves about real kube-proxy, checked after its snapshot (helpers/lab/facts.ts). */
  facts?: Fact;
}

const ALL_PASS: ClaimVerdicts = {
  'kube-ipvs0-holds-clusterips': 'pass',
  'ipvs-services-match-endpoints': 'pass',
  'ipvs-rr-balanced': 'pass',
  'strict-arp': 'pass',
  'ipset-replaces-per-service-rules': 'pass',
  'fewer-iptables-rules-than-iptables-mode': 'pass',
};

const failing = (...ids: ClaimId[]): ClaimVerdicts => ({ ...ALL_PASS, ...Object.fromEntries(ids.map((id) => [id, 'fail'])) });

const WEBPOD3 = { name: 'webpod3', namespace: 'default', ip: '10.10.3.2', ip6: 'fd00:10:10:3::2' };

/** A new LoadBalancer Service whose ingress IP MetalLB publishes, and svc-affinity's timeout raised 600 → 1200 s. */
async function createNewService(lab: LabCluster): Promise<void> {
  await lab.k8s.core.createNamespacedService({
    namespace: 'default',
    body: { metadata: { name: NEW_SERVICE.name }, spec: { type: 'LoadBalancer', clusterIP: NEW_SERVICE.clusterIP, selector: { app: 'webpod' }, ports: [{ name: 'http', protocol: 'TCP', port: NEW_SERVICE.port, targetPort: 80 }] } },
  });
  await publishIngress(lab.k8s, 'default', NEW_SERVICE.name, NEW_SERVICE.ingressIP);
  const affinity = await lab.k8s.core.readNamespacedService({ namespace: 'default', name: SHAPES.affinity.name });
  affinity.spec!.sessionAffinityConfig = { clientIP: { timeoutSeconds: AFFINITY_RAISED } };
  await lab.k8s.core.replaceNamespacedService({ namespace: 'default', name: SHAPES.affinity.name, body: affinity });
  await waitForSlices(lab.k8s, 'default', NEW_SERVICE.name, 'three endpoints', (eps) => eps.length === 3);
}

const AFFINITY_RAISED = 1200;

/** Deletes webpod3; with grace 0 the kubelet's part is to stop its processes at once. */
async function deleteWebpod3(lab: LabCluster, gracePeriodSeconds: number): Promise<void> {
  await deletePod(lab.k8s.core, WEBPOD3, gracePeriodSeconds);
  if (gracePeriodSeconds === 0) {
    await lab.guestScript(null, 'stop webpod3 as its kubelet would', stopPodScript(WEBPOD3));
    await waitForSlices(lab.k8s, SEED_SERVICE.namespace, SEED_SERVICE.name, 'webpod3 gone', (eps) => !eps.some((e) => e.ip === WEBPOD3.ip));
  } else {
    await waitForSlices(lab.k8s, SEED_SERVICE.namespace, SEED_SERVICE.name, 'webpod3 terminating', (eps) => eps.some((e) => e.ip === WEBPOD3.ip && e.terminating === true));
  }
}

async function createPolicyServices(lab: LabCluster): Promise<void> {
  const { local, zonal, otherProxy } = POLICY_SERVICES;
  const web = (s: { name: string; clusterIP: string; port: number }, spec: object, labels: Record<string, string> = {}) =>
    lab.k8s.core.createNamespacedService({
      namespace: 'default',
      body: { metadata: { name: s.name, labels }, spec: { clusterIP: s.clusterIP, selector: { app: 'webpod' }, ports: [{ name: 'http', protocol: 'TCP', port: s.port, targetPort: 80 }], ...spec } },
    });
  await web(local, { internalTrafficPolicy: 'Local' });
  await web(zonal, { trafficDistribution: 'PreferClose' });
  await web(otherProxy, {}, { 'service.kubernetes.io/service-proxy-name': 'some-other-proxy' });
  await waitForSlices(lab.k8s, 'default', zonal.name, 'zone hints on every endpoint', (eps) => eps.length === 3 && eps.every((e) => (e.zoneHints ?? []).length > 0));
  await waitForSlices(lab.k8s, 'default', local.name, 'three endpoints', (eps) => eps.length === 3);
}

export const SCENARIOS: readonly LabScenario[] = [
  {
    name: 'conforming',
    title: 'conforming IPVS cluster on kube-proxy v1.34.4, with LoadBalancers (one eTP Local), external IPs, affinity and NodePorts in a table over a page: all six claims pass',
    expect: ALL_PASS,
    facts: FACTS.conforming,
  },
  {
    name: 'conforming-v1.37',
    title: `conforming IPVS cluster on kube-proxy ${DEPRECATING_PROXY_VERSION}, which logs the IPVS deprecation: all six claims pass`,
    cluster: { proxyVersion: DEPRECATING_PROXY_VERSION },
    expect: ALL_PASS,
    facts: FACTS['conforming-v1.37'],
  },
  {
    name: 'proxy-down-new-service',
    title: `kube-proxy killed on ${DOWN_NODE}, then a LoadBalancer created and its ingress IP assigned, and an affinity timeout raised: that node lacks the ClusterIP, LB IP, virtual servers and ipset entries, and keeps the old timeout`,
    act: async (lab) => {
      await lab.killKubeProxy(DOWN_NODE);
      await lab.change(`create LoadBalancer ${NEW_SERVICE.name} with ingress ${NEW_SERVICE.ingressIP}; ${SHAPES.affinity.name} timeout ${AFFINITY_RAISED} s`, () => createNewService(lab));
    },
    expect: failing('kube-ipvs0-holds-clusterips', 'ipvs-services-match-endpoints', 'ipset-replaces-per-service-rules'),
    mustName: {
      'kube-ipvs0-holds-clusterips': [`${DOWN_NODE}: kube-ipvs0 lacks ClusterIP ${NEW_SERVICE.clusterIP}`, `${DOWN_NODE}: kube-ipvs0 lacks LB IP ${NEW_SERVICE.ingressIP}`],
      'ipvs-services-match-endpoints': [
        `${DOWN_NODE}: TCP ${NEW_SERVICE.clusterIP}:${NEW_SERVICE.port}`, `${DOWN_NODE}: loadBalancer TCP ${NEW_SERVICE.ingressIP}:${NEW_SERVICE.port}`,
        `${DOWN_NODE}: TCP ${SHAPES.affinity.clusterIP}:${SHAPES.affinity.port} (default/${SHAPES.affinity.name}) is persistent ${SHAPES.affinity.timeoutSeconds}, expected persistent ${AFFINITY_RAISED}`,
      ],
      'ipset-replaces-per-service-rules': [`${DOWN_NODE}: ipset KUBE-CLUSTER-IP lacks ${NEW_SERVICE.clusterIP},tcp:${NEW_SERVICE.port}`, `${DOWN_NODE}: ipset KUBE-LOAD-BALANCER lacks ${NEW_SERVICE.ingressIP},tcp:${NEW_SERVICE.port}`],
    },
    facts: FACTS['proxy-down-new-service'],
  },
  {
    name: 'proxy-down-backend-deleted',
    title: `kube-proxy killed on ${DOWN_NODE}, then webpod3 deleted: a stale real server there, and its traffic fails`,
    act: async (lab) => {
      await lab.killKubeProxy(DOWN_NODE);
      await lab.change('delete webpod3 (grace 0)', () => deleteWebpod3(lab, 0));
    },
    expect: failing('ipvs-services-match-endpoints', 'ipvs-rr-balanced'),
    mustName: {
      // Every shape's virtual servers there keep webpod3: the eTP Local LB IP (its fallback set), the external IP,
      // the NodePort on each node address, and svc-dual's IPv6 ClusterIP with webpod3's IPv6 address.
      'ipvs-services-match-endpoints': [
        `${DOWN_NODE}: TCP ${SEED_SERVICE.clusterIP}:${SEED_SERVICE.port} (default/svc-clusterip) has extra real server ${WEBPOD3.ip}:80`,
        `${DOWN_NODE}: loadBalancer TCP ${SHAPES.lbLocal.ingressIP}:80 (default/${SHAPES.lbLocal.name}) has extra real server ${WEBPOD3.ip}:80`,
        `${DOWN_NODE}: externalIP TCP ${SHAPES.externalIP.externalIP}:${SHAPES.externalIP.port} (default/${SHAPES.externalIP.name}) has extra real server ${WEBPOD3.ip}:80`,
        `${DOWN_NODE}: nodePort TCP 172.18.0.2:30080 (default/svc-nodeport) has extra real server ${WEBPOD3.ip}:80`,
        `${DOWN_NODE}: TCP [${SHAPES.dual.clusterIPv6}]:${SHAPES.dual.port} (default/${SHAPES.dual.name}) has extra real server [${WEBPOD3.ip6}]:80`,
      ],
      'ipvs-rr-balanced': [DOWN_NODE, 'no answer'],
    },
  },
  {
    name: 'graceful-termination',
    title: 'webpod3 deleted with a grace period while connections drain: terminating, kept at weight 0 at most, no new connections',
    act: async (lab) => {
      // Connections first, so the client's node holds IPVS connections to webpod3 when it starts terminating.
      await lab.balance();
      await lab.change('delete webpod3 (grace 600 s)', () => deleteWebpod3(lab, 600));
    },
    expect: ALL_PASS,
    facts: FACTS['graceful-termination'],
  },
  {
    name: 'strict-arp-off',
    title: 'strictARP false in the ConfigMap: sysctls stay at the kernel defaults and mypc gets ARP replies for ClusterIPs and LB IPs (the MetalLB case)',
    cluster: { proxy: { strictARP: false } },
    expect: failing('strict-arp'),
    mustName: { 'strict-arp': [`LB IP ${SHAPES.lb.ingressIP} answered ARP from mypc`, `LB IP ${SHAPES.lbLocal.ingressIP} answered ARP`, 'ClusterIP', DOWN_NODE, 'arp_ignore = 0', 'ipvs.strictARP is not true'] },
  },
  {
    name: 'iptables-to-ipvs',
    title: 'myk8s-worker moved from iptables mode to IPVS mode: the iptables-mode chains stay behind, outnumbering an iptables-mode node',
    cluster: { firstMode: { 'myk8s-worker': 'iptables' } },
    act: (lab) => lab.restartKubeProxy('myk8s-worker', { mode: 'ipvs' }),
    // Measured: kube-proxy v1.34 in IPVS mode adds its 29 rules and leaves all iptables-mode ones (no --cleanup).
    expect: failing('ipset-replaces-per-service-rules', 'fewer-iptables-rules-than-iptables-mode'),
    mustName: {
      'ipset-replaces-per-service-rules': ['myk8s-worker', 'nat has per-service chain KUBE-'],
      'fewer-iptables-rules-than-iptables-mode': ['myk8s-worker', 'rules in IPVS mode, not below'],
    },
    facts: FACTS['iptables-to-ipvs'],
  },
  {
    name: 'endpoint-policies',
    title: 'internalTrafficPolicy Local, trafficDistribution PreferClose (zone hints) and a service for another proxy: each node uses what kube-proxy picks for it',
    // IPv4 only: in a dual-stack lab cluster, kube-proxy v1.34.4 twice logged "Ignoring same-zone topology hints
    // for service since node is missing label" on one node and gave it every zone's endpoints (README).
    cluster: { topology: { dualStack: false } },
    act: (lab) => lab.change('create svc-local, svc-zonal and svc-other-proxy', () => createPolicyServices(lab)),
    expect: ALL_PASS,
    facts: FACTS['endpoint-policies'],
  },
  { name: 'scheduler-wrr', title: 'ipvs.scheduler wrr: every virtual server uses it and all six claims pass', cluster: { proxy: { scheduler: 'wrr' } }, expect: ALL_PASS },
];
