// The seed's cluster as a lab model: one control-plane and three workers on a "kind" bridge, webpod1-3 on the
// workers, net-pod on the control-plane, the seed's services plus a headless one and ten extras, and a "mypc"
// host on the node network. From it come both the expected model (cluster.json) and the guest's wiring.
import type { ClusterJson, Endpoint, ProxyMode, Service } from '../snapshot/model.js';

export interface LabNode {
  name: string;
  ip: string;
  /** This node's pod range is 10.10.<index>.0/24 and its pod gateway 10.10.<index>.1. */
  index: number;
}

export interface LabPod {
  name: string;
  node: string;
  ip: string;
  /** Serves whoami-style `Hostname: <name>` on port 80. */
  web?: boolean;
}

export interface LabTopology {
  bridgeIP: string;
  nodes: LabNode[];
  pods: LabPod[];
  mypc: { name: string; ip: string };
  services: Service[];
}

export const CLUSTER_NAME = 'myk8s';
export const POD_SUBNET = '10.10.0.0/16';

const NODE_NAMES = ['control-plane', 'worker', 'worker2', 'worker3'].map((n) => `${CLUSTER_NAME}-${n}`);

export function seedTopology(extraServices = 10): LabTopology {
  const nodes = NODE_NAMES.map((name, index) => ({ name, ip: `172.18.0.${index + 2}`, index }));
  const [cp, w1, w2, w3] = nodes.map((n) => n.name) as [string, string, string, string];
  const pods: LabPod[] = [
    { name: 'net-pod', node: cp, ip: '10.10.0.5' },
    { name: 'coredns-a', node: cp, ip: '10.10.0.2' },
    { name: 'coredns-b', node: cp, ip: '10.10.0.3' },
    { name: 'webpod1', node: w1, ip: '10.10.1.2', web: true },
    { name: 'webpod2', node: w2, ip: '10.10.2.2', web: true },
    { name: 'webpod3', node: w3, ip: '10.10.3.2', web: true },
  ];
  const ep = (pod: LabPod, port: number): Endpoint => ({ ip: pod.ip, port, ready: true, nodeName: pod.node, pod: pod.name });
  const web = pods.filter((p) => p.web);
  const dns = pods.filter((p) => p.name.startsWith('coredns'));
  const webPort = (name: string, port: number) => ({ name, protocol: 'TCP' as const, port, endpoints: web.map((p) => ep(p, 80)) });
  const services: Service[] = [
    {
      namespace: 'default',
      name: 'kubernetes',
      clusterIPs: ['10.200.1.1'],
      ports: [{ name: 'https', protocol: 'TCP', port: 443, endpoints: [{ ip: nodes[0]!.ip, port: 6443, ready: true, nodeName: cp }] }],
    },
    {
      namespace: 'kube-system',
      name: 'kube-dns',
      clusterIPs: ['10.200.1.10'],
      ports: [
        { name: 'dns', protocol: 'UDP', port: 53, endpoints: dns.map((p) => ep(p, 53)) },
        { name: 'dns-tcp', protocol: 'TCP', port: 53, endpoints: dns.map((p) => ep(p, 53)) },
        { name: 'metrics', protocol: 'TCP', port: 9153, endpoints: dns.map((p) => ep(p, 9153)) },
      ],
    },
    { namespace: 'default', name: 'svc-clusterip', clusterIPs: ['10.200.1.245'], ports: [webPort('svc-webport', 9000)] },
    { namespace: 'default', name: 'svc-headless', clusterIPs: ['None'], ports: [webPort('http', 80)] },
    ...Array.from({ length: extraServices }, (_, i) => ({
      namespace: 'default',
      name: `svc-extra-${i + 1}`,
      clusterIPs: [`10.200.1.${101 + i}`],
      ports: [webPort('http', 8080)],
    })),
  ];
  return { bridgeIP: '172.18.0.1', nodes, pods, mypc: { name: 'mypc', ip: '172.18.0.100' }, services };
}

/** The expected model a scenario is judged against, in the snapshot's cluster.json format. */
export function labClusterJson(nodes: { name: string; ip: string }[], services: Service[], mode: ProxyMode, strictARP: boolean): ClusterJson {
  return {
    formatVersion: 1,
    proxyMode: mode,
    // The fields kube-proxy's ConfigMap carries for the seed's config (config.conf), as kubeadm writes them.
    kubeProxyConfig: {
      apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
      kind: 'KubeProxyConfiguration',
      mode,
      clusterCIDR: POD_SUBNET,
      metricsBindAddress: '0.0.0.0',
      ipvs: { excludeCIDRs: null, minSyncPeriod: '0s', scheduler: '', strictARP, syncPeriod: '0s', tcpFinTimeout: '0s', tcpTimeout: '0s', udpTimeout: '0s' },
    },
    nodes: nodes.map((n) => ({ name: n.name, internalIP: n.ip })),
    services,
  };
}
