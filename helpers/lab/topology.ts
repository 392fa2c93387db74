// The seed's cluster as the lab builds it: nodes on a "kind" bridge, webpod1-3 on the workers, net-pod and two
// kube-dns pods on the control plane, the seed's services (plus a headless one and ten extras), and a "mypc"
// host on the node network. These are API objects to create; the EndpointSlices come from the real controller.
// The seed's pods and services are read from the manifests kind applies (fixtures/manifests): written once.
import { loadAllYaml, type V1Pod, type V1Service } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFESTS } from '../kind/lifecycle.js';

export interface LabNode {
  name: string;
  ip: string;
  /** This node's pod range is 10.10.<index>.0/24 and its pod gateway 10.10.<index>.1. */
  index: number;
  /** The seed's topology.kubernetes.io/zone label for this node. */
  zone: string;
  /** A second address on eth0 that is not the node's InternalIP (migration topology), to see which addresses take NodePorts. */
  secondaryIP?: string;
}

export interface LabPod {
  name: string;
  namespace: string;
  node: string;
  ip: string;
  labels: Record<string, string>;
  /** Serves whoami-style `Hostname: <name>` on port 80. */
  web?: boolean;
  /** Its IPv6 address in a dual-stack topology (reported in the pod's status, for the IPv6 EndpointSlices). */
  ip6?: string;
  /** Answers like whoami on 53/udp, 53/tcp and 9153/tcp, as kube-dns's ports (see whoami.pl). */
  dns?: boolean;
}

export interface LabTopology {
  bridgeIP: string;
  nodes: LabNode[];
  pods: LabPod[];
  mypc: { name: string; ip: string };
  services: V1Service[];
  /** status.loadBalancer.ingress to publish per Service name, as MetalLB or kube-vip would after it is created. */
  loadBalancerIngress: Record<string, string>;
  /** The API server serves SERVICE_CIDRS.v6 too, and web pods report IPv6 addresses. */
  dualStack: boolean;
}

export const CLUSTER_NAME = 'myk8s';
export const POD_SUBNET = '10.10.0.0/16';
export const SEED_NODE_NAMES = ['control-plane', 'worker', 'worker2', 'worker3'].map((n) => `${CLUSTER_NAME}-${n}`);
/** The seed's zones (kind/ipvs.yaml): control plane and worker in 2a, worker2 in 2b, worker3 in 2c. */
const SEED_ZONES = ['ap-northeast-2a', 'ap-northeast-2a', 'ap-northeast-2b', 'ap-northeast-2c'];
/** The seed's service under test: `svc-clusterip` 9000 → webpods:80. */
export const SEED_SERVICE = { namespace: 'default', name: 'svc-clusterip', clusterIP: '10.200.1.245', port: 9000 };
/** In the service range (10.200.1.0/24 holds every lab ClusterIP) and held by no service. */
export const UNALLOCATED_CLUSTER_IP = '10.200.1.200';
/** The node whose kube-proxy goes down: the client's node, so the balance probe meets what it left behind. */
export const DOWN_NODE = 'myk8s-control-plane';
/** A LoadBalancer Service created while kube-proxy is down on DOWN_NODE; its ingress IP is published after. */
export const NEW_SERVICE = { name: 'svc-new', clusterIP: '10.200.1.50', port: 8080, ingressIP: '172.18.255.250' };

/** Services whose endpoints depend on the node, and one kube-proxy must leave to another proxy. */
export const POLICY_SERVICES = {
  local: { name: 'svc-local', clusterIP: '10.200.1.60', port: 8080 },
  zonal: { name: 'svc-zonal', clusterIP: '10.200.1.61', port: 8080 },
  otherProxy: { name: 'svc-other-proxy', clusterIP: '10.200.1.62', port: 8080 },
};

/**
 * The Service shapes beyond ClusterIPs (fixtures/manifests/service-shapes.yaml) at the lab's fixed addresses:
 * LB ingress and external IPs on the node network (`subnet`.255.x), where ARP for them can be probed from mypc.
 */
export function serviceShapes(subnet = '172.18') {
  return {
    lb: { name: 'svc-lb', clusterIP: '10.200.1.70', port: 80, ingressIP: `${subnet}.255.200` },
    lbLocal: { name: 'svc-lb-local', clusterIP: '10.200.1.71', port: 80, ingressIP: `${subnet}.255.201` },
    externalIP: { name: 'svc-external-ip', clusterIP: '10.200.1.72', port: 8081, externalIP: `${subnet}.255.210` },
    affinity: { name: 'svc-affinity', clusterIP: '10.200.1.73', port: 8082, timeoutSeconds: 600 },
    dual: { name: 'svc-dual', clusterIP: '10.200.1.74', clusterIPv6: 'fd00:10:200::74', port: 8083 },
  } as const;
}
export const SHAPES = serviceShapes();

/** The long-lived streams' Service (streams topology): the web pods' echo backend, by ClusterIP and NodePort. */
export const STREAM_SERVICE = { namespace: 'default', name: 'svc-stream', clusterIP: '10.200.1.90', port: 7000, nodePort: 30090 };

/** The migration topology's NodePort service (type NodePort, 9080 → webpods:80, node port 30080). */
export const NODEPORT_SERVICE = { namespace: 'default', name: 'svc-nodeport', clusterIP: '10.200.1.80', port: 9080, nodePort: 30080 };

export interface TopologyOptions {
  /** Node names; the first is the control plane. */
  nodeNames?: string[];
  /** The node network's first two octets. */
  subnet?: string;
  extraServices?: number;
  /** The IPVS→nftables comparison's additions: a NodePort service, and a secondary address on every node. */
  migration?: boolean;
  /** The Service shapes beyond ClusterIPs: LoadBalancers (one with eTP Local), external IPs, affinity, a NodePort. */
  shapes?: boolean;
  /** A dual-stack service range, web pods with IPv6 addresses too, and the dual-stack svc-dual among the shapes. */
  dualStack?: boolean;
  /** svc-stream, the Service long-lived streams go through. */
  streams?: boolean;
  /** svc-affinity's sessionAffinityConfig.clientIP.timeoutSeconds, short enough to wait out (the manifest's is 600). */
  affinityTimeoutSeconds?: number;
}

/** The lab's service ranges; the IPv6 one only in a dual-stack topology. */
export const SERVICE_CIDRS = { v4: '10.200.1.0/24', v6: 'fd00:10:200::/112' } as const;

/**
 * The seed's workload on the given nodes (the first is the control plane). Webpod i lands on node i when it
 * exists, else on the last node, so a two-node baseline carries the same pods and services.
 */
export function seedTopology(o: TopologyOptions = {}): LabTopology {
  const { nodeNames = SEED_NODE_NAMES, subnet = '172.18', extraServices = 10, migration = false, shapes = !migration, dualStack = false, streams = false, affinityTimeoutSeconds } = o;
  const nodes: LabNode[] = nodeNames.map((name, index) => ({
    name, ip: `${subnet}.0.${index + 2}`, index, zone: SEED_ZONES[Math.min(index, SEED_ZONES.length - 1)]!,
    ...(migration && { secondaryIP: `${subnet}.1.${index + 2}` }),
  }));
  const on = (i: number) => nodes[Math.min(i, nodes.length - 1)]!;
  const pod = (name: string, namespace: string, i: number, host: number, labels: Record<string, string>, web = false): LabPod => ({
    name, namespace, node: on(i).name, ip: `10.10.${on(i).index}.${host}`, labels, ...(web && { web }),
  });
  const dns = { 'k8s-app': 'kube-dns' };
  const seedPods = manifest<V1Pod>('workload.yaml', 'Pod').map((p) => {
    const labels = p.metadata?.labels ?? {};
    const i = SEED_NODE_NAMES.indexOf(p.spec!.nodeName!);
    // net-pod is .5 on the control plane (.2 and .3 are kube-dns); webpod i .2 on node i, or .2+i on the last node.
    const host = i === 0 ? 5 : 2 + (nodes.length > i ? 0 : i);
    const web = pod(p.metadata!.name!, 'default', i, host, labels, labels.app === 'webpod');
    return dualStack && web.web ? { ...web, ip6: `fd00:10:10:${on(i).index}::${host}` } : web;
  });
  const pods: LabPod[] = [
    ...seedPods.filter((p) => !p.web),
    { ...pod('coredns-a', 'kube-system', 0, 2, dns), dns: true },
    { ...pod('coredns-b', 'kube-system', 0, 3, dns), dns: true },
    ...seedPods.filter((p) => p.web),
  ];
  const [seedService] = manifest<V1Service>('workload.yaml', 'Service');
  const extras = manifest<V1Service>('extra-services.yaml', 'Service').slice(0, extraServices);
  const services: V1Service[] = [
    {
      metadata: { namespace: 'kube-system', name: 'kube-dns', labels: { 'k8s-app': 'kube-dns' } },
      spec: {
        clusterIP: '10.200.1.10',
        selector: dns,
        ports: [
          { name: 'dns', protocol: 'UDP', port: 53, targetPort: 53 },
          { name: 'dns-tcp', protocol: 'TCP', port: 53, targetPort: 53 },
          { name: 'metrics', protocol: 'TCP', port: 9153, targetPort: 9153 },
        ],
      },
    },
    labService(seedService!, SEED_SERVICE.clusterIP),
    { metadata: { namespace: 'default', name: 'svc-headless' }, spec: { clusterIP: 'None', selector: { app: 'webpod' }, ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 80 }] } },
    ...extras.map((svc, i) => labService(svc, `10.200.1.${101 + i}`)),
    ...(migration || shapes ? [nodePortService()] : []),
    ...(shapes ? shapeServices(subnet, dualStack, affinityTimeoutSeconds) : []),
    ...(streams ? [streamService()] : []),
  ];
  const { lb, lbLocal } = serviceShapes(subnet);
  const loadBalancerIngress: Record<string, string> = shapes ? { [lb.name]: lb.ingressIP, [lbLocal.name]: lbLocal.ingressIP } : {};
  return { bridgeIP: `${subnet}.0.1`, nodes, pods, mypc: { name: 'mypc', ip: `${subnet}.0.100` }, services, loadBalancerIngress, dualStack };
}

/** The shapes' manifest with the lab's ClusterIPs (both families for svc-dual), and the external IP on the node network. */
function shapeServices(subnet: string, dualStack: boolean, affinityTimeoutSeconds?: number): V1Service[] {
  const shapes = Object.values(serviceShapes(subnet));
  const wanted = manifest<V1Service>('service-shapes.yaml', 'Service').filter((svc) => dualStack || svc.spec?.ipFamilyPolicy !== 'RequireDualStack');
  return wanted.map((svc) => {
    const shape = shapes.find((s) => s.name === svc.metadata!.name);
    if (!shape) return { metadata: { namespace: 'default', name: svc.metadata!.name! }, spec: svc.spec! };
    const lab = labService(svc, shape.clusterIP);
    const clusterIPs = 'clusterIPv6' in shape ? { clusterIPs: [shape.clusterIP, shape.clusterIPv6] } : {};
    const timeout = shape.name === SHAPES.affinity.name && affinityTimeoutSeconds ? { sessionAffinityConfig: { clientIP: { timeoutSeconds: affinityTimeoutSeconds } } } : {};
    return { ...lab, spec: { ...svc.spec, ...lab.spec, ...clusterIPs, ...timeout, ...('externalIP' in shape && { externalIPs: [shape.externalIP] }) } };
  });
}

/** The objects of one kind in a seed manifest, as kind's setup applies them. */
function manifest<T extends { kind?: string }>(file: string, kind: string): T[] {
  return (loadAllYaml(readFileSync(join(MANIFESTS, file), 'utf8')) as (T | null)[]).filter((d): d is T => d?.kind === kind);
}

/** A seed Service in the lab's default namespace, with the fixed ClusterIP the lab's checks name (ports default to TCP). */
function labService(svc: V1Service, clusterIP: string): V1Service {
  const ports = svc.spec!.ports!.map((p) => ({ ...p, protocol: p.protocol ?? 'TCP' }));
  return { metadata: { namespace: 'default', name: svc.metadata!.name!, ...(svc.metadata?.labels && { labels: svc.metadata.labels }) }, spec: { clusterIP, selector: svc.spec!.selector!, ports } };
}

function streamService(): V1Service {
  const s = STREAM_SERVICE;
  return {
    metadata: { namespace: s.namespace, name: s.name },
    spec: { type: 'NodePort', clusterIP: s.clusterIP, selector: { app: 'webpod' }, ports: [{ name: 'stream', protocol: 'TCP', port: s.port, targetPort: s.port, nodePort: s.nodePort }] },
  };
}

function nodePortService(): V1Service {
  const s = NODEPORT_SERVICE;
  return {
    metadata: { namespace: s.namespace, name: s.name },
    spec: { type: 'NodePort', clusterIP: s.clusterIP, selector: { app: 'webpod' }, ports: [{ name: 'http', protocol: 'TCP', port: s.port, targetPort: 80, nodePort: s.nodePort }] },
  };
}
