// Assembles cluster.json (the expected model) from API objects. Pure, so it is unit-tested without a cluster.
import { loadYaml, type V1ConfigMap, type V1EndpointSlice, type V1Node, type V1Service } from '@kubernetes/client-node';
import { InputError } from '../snapshot/input-error.js';
import { SNAPSHOT_FORMAT_VERSION, type ClusterJson, type Endpoint, type KubeProxyConfig, type LoadBalancerIngress, type Protocol, type ProxyMode, type Service } from '../snapshot/model.js';

export interface ApiObjects {
  kubeProxyConfigMap: V1ConfigMap;
  nodes: V1Node[];
  services: V1Service[];
  endpointSlices: V1EndpointSlice[];
}

export function assembleClusterJson(api: ApiObjects): ClusterJson {
  const kubeProxyConfig = parseKubeProxyConfig(api.kubeProxyConfigMap);
  return {
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    proxyMode: proxyModeOf(kubeProxyConfig),
    kubeProxyConfig,
    nodes: api.nodes.map((n) => {
      const zone = n.metadata?.labels?.['topology.kubernetes.io/zone'];
      return { name: n.metadata?.name ?? '', internalIP: n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '', ...(zone && { zone }) };
    }),
    services: api.services.filter(isProxiedByKubeProxy).map((s) => toService(s, api.endpointSlices)),
  };
}

export function parseKubeProxyConfig(cm: V1ConfigMap): KubeProxyConfig {
  const text = cm.data?.['config.conf'];
  if (!text) throw new InputError('ConfigMap kube-system/kube-proxy has no config.conf');
  const parsed = loadYaml<KubeProxyConfig>(text);
  if (typeof parsed !== 'object' || parsed === null) throw new InputError('ConfigMap kube-system/kube-proxy: config.conf is not a YAML mapping');
  return parsed;
}

/**
 * kube-proxy ignores ExternalName services, and services another proxy claims with the
 * service.kubernetes.io/service-proxy-name label (cmd/kube-proxy/app/server.go), so they are no part of its model.
 */
export function isProxiedByKubeProxy(s: V1Service): boolean {
  return s.spec?.type !== 'ExternalName' && s.metadata?.labels?.['service.kubernetes.io/service-proxy-name'] === undefined;
}

/** kube-proxy's default mode on Linux is iptables when `mode` is empty. */
function proxyModeOf(config: KubeProxyConfig): ProxyMode {
  const mode = config.mode || 'iptables';
  if (mode !== 'ipvs' && mode !== 'iptables' && mode !== 'nftables') throw new InputError(`kube-proxy mode "${mode}" is not ipvs, iptables or nftables`);
  return mode;
}

function toService(svc: V1Service, slices: V1EndpointSlice[]): Service {
  const namespace = svc.metadata?.namespace ?? 'default';
  const name = svc.metadata?.name ?? '';
  const own = slices.filter(
    (s) => s.metadata?.namespace === namespace && s.metadata?.labels?.['kubernetes.io/service-name'] === name && (s.addressType === 'IPv4' || s.addressType === 'IPv6'),
  );
  const clusterIPs = svc.spec?.clusterIPs ?? (svc.spec?.clusterIP ? [svc.spec.clusterIP] : ['None']);
  const policy = svc.spec?.internalTrafficPolicy;
  return {
    namespace,
    name,
    clusterIPs,
    ...((policy === 'Local' || policy === 'Cluster') && { internalTrafficPolicy: policy }),
    ...serviceShape(svc),
    ports: (svc.spec?.ports ?? []).map((p) => {
      const protocol = (p.protocol ?? 'TCP') as Protocol;
      return { name: p.name ?? '', protocol, port: p.port, ...(p.nodePort !== undefined && { nodePort: p.nodePort }), endpoints: endpointsFor(own, p.name ?? '', protocol) };
    }),
  };
}

/** What kube-proxy reads beyond ClusterIPs: type, external IPs, LB ingress and ranges, policies, affinity. */
function serviceShape(svc: V1Service): Partial<Service> {
  const spec = svc.spec ?? {};
  const type = spec.type;
  const ingress = (svc.status?.loadBalancer?.ingress ?? []).map((i): LoadBalancerIngress => ({
    ...(i.ip && { ip: i.ip }),
    ...(i.hostname && { hostname: i.hostname }),
    ...((i.ipMode === 'VIP' || i.ipMode === 'Proxy') && { ipMode: i.ipMode }),
  }));
  const etp = spec.externalTrafficPolicy;
  const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT;
  return {
    ...((type === 'ClusterIP' || type === 'NodePort' || type === 'LoadBalancer') && { type }),
    ...(spec.externalIPs?.length && { externalIPs: spec.externalIPs }),
    ...(ingress.length > 0 && { loadBalancerIngress: ingress }),
    ...(spec.loadBalancerSourceRanges?.length && { loadBalancerSourceRanges: spec.loadBalancerSourceRanges }),
    ...((etp === 'Local' || etp === 'Cluster') && { externalTrafficPolicy: etp }),
    ...(spec.healthCheckNodePort !== undefined && { healthCheckNodePort: spec.healthCheckNodePort }),
    ...(spec.sessionAffinity === 'ClientIP' && { sessionAffinity: { clientIPTimeoutSeconds: timeout } }),
  };
}

/** The API server's default for sessionAffinityConfig.clientIP.timeoutSeconds (3 hours). */
const DEFAULT_AFFINITY_TIMEOUT = 10800;

/** Endpoints of one service port: slice ports match the service port by name and protocol. */
function endpointsFor(slices: V1EndpointSlice[], portName: string, protocol: Protocol): Endpoint[] {
  return slices.flatMap((slice) => {
    const port = slice.ports?.find((sp) => (sp.name ?? '') === portName && (sp.protocol ?? 'TCP') === protocol)?.port;
    if (port === undefined) return [];
    return (slice.endpoints ?? []).flatMap((e) =>
      e.addresses.map((ip) => ({
        ip,
        port,
        // The API reads a nil ready condition as ready, a nil serving as equal to ready, a nil terminating as false.
        ready: e.conditions?.ready !== false,
        serving: e.conditions?.serving ?? e.conditions?.ready !== false,
        terminating: e.conditions?.terminating === true,
        ...(e.nodeName && { nodeName: e.nodeName }),
        ...(e.hints?.forZones?.length && { zoneHints: e.hints.forZones.map((z) => z.name) }),
        ...(e.hints?.forNodes?.length && { nodeHints: e.hints.forNodes.map((n) => n.name) }),
        ...(e.targetRef?.kind === 'Pod' && e.targetRef.name && { pod: e.targetRef.name }),
      })),
    );
  });
}
