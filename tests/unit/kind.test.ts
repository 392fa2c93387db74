// The kind suite's logic that needs no cluster: argv construction, ownership, settings, preflight rules,
// cluster.json assembly from API objects and manifest loading.
import { expect, test } from '@playwright/test';
import type { V1EndpointSlice, V1Service, V1ServicePort } from '@kubernetes/client-node';
import { dockerExec, kubectlExec } from '../../helpers/exec/process-exec.js';
import { loadYaml } from '@kubernetes/client-node';
import { readFile } from 'node:fs/promises';
import { assembleClusterJson } from '../../helpers/cluster/cluster-json.js';
import { kindConfigForImage, kindVersionWarning } from '../../helpers/kind/kind-config.js';
import { containersHoldingPorts, explainKubeProxyLog, hostPortsOf, imagePullLine, inotifyWarning } from '../../helpers/kind/diagnose.js';
import { balanceTestTimeoutMs } from '../../helpers/collectors/probes.js';
import { deleteClusterArgv, KIND_CONFIGS, loadManifest, unreachableClusterLine } from '../../helpers/kind/lifecycle.js';
import { configHash, decideCluster, mayDelete } from '../../helpers/kind/ownership.js';
import { checkNftablesImage, checkNodeImage, checkProxyMode, PreflightError } from '../../helpers/kind/preflight.js';
import type { Exec } from '../../helpers/exec/exec.js';
import { isOurs, lockPath, processStartTime, readLock, releaseLock, takeLock } from '../../helpers/kind/run-lock.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { imageMinorVersion, readSettings } from '../../helpers/kind/settings.js';
import { InputError } from '../../helpers/snapshot/input-error.js';

test('node and pod exec argv: docker exec, and kubectl with kubeconfig and context pinned', () => {
  expect(dockerExec('myk8s-worker').argvFor(['cat', '/proc/net/ip_vs'])).toEqual(['docker', 'exec', 'myk8s-worker', 'cat', '/proc/net/ip_vs']);
  const kp = kubectlExec({ kubeconfig: '.kind/myk8s.kubeconfig', context: 'kind-myk8s' }, 'kube-system', 'kube-proxy-abcde', 'kube-proxy');
  expect(kp.argvFor(['ipset', 'list'])).toEqual([
    'kubectl', '--kubeconfig', '.kind/myk8s.kubeconfig', '--context', 'kind-myk8s', 'exec', '-n', 'kube-system', 'kube-proxy-abcde', '-c', 'kube-proxy', '--', 'ipset', 'list',
  ]);
});

test('ownership: create when absent, reuse only with our matching marker, refuse otherwise', () => {
  const h = configHash('kind: Cluster', 'kindest/node:v1.31.0');
  expect(h).toMatch(/^[0-9a-f]{16}$/);
  expect(configHash('kind: Cluster', 'kindest/node:v1.32.0')).not.toBe(h);
  const f = { name: 'myk8s', wantedHash: h, checkout: '/src/a/.kind', halfCreatedByDeadRun: false };
  expect(decideCluster({ ...f, exists: false })).toEqual({ action: 'create' });
  // An interrupted run of this checkout: adopted. Kept on purpose (KEEP_CLUSTER): reused and kept.
  expect(decideCluster({ ...f, exists: true, marker: { configHash: h, checkout: '/src/a/.kind', runId: 'r1' } })).toEqual({ action: 'reuse', adopt: true });
  expect(decideCluster({ ...f, exists: true, marker: { configHash: h, checkout: '/src/a/.kind', runId: 'r1', kept: true } })).toEqual({ action: 'reuse', adopt: false });
  expect(decideCluster({ ...f, exists: true })).toMatchObject({ action: 'refuse', reason: expect.stringContaining('was not created by ipvs-conformance') });
  expect(decideCluster({ ...f, exists: true, marker: { configHash: 'ffff' } })).toMatchObject({ action: 'refuse', reason: expect.stringContaining('kind delete cluster --name myk8s') });
  // Another checkout's cluster of the same name is refused in one line, never reused.
  expect(decideCluster({ ...f, exists: true, marker: { configHash: h, checkout: '/src/b/.kind', runId: 'r2' } })).toEqual({
    action: 'refuse', reason: 'kind cluster "myk8s" belongs to another ipvs-conformance checkout (/src/b/.kind); set KIND_CLUSTER_NAME to a name of this run\'s own',
  });
  // Killed during `kind create`: no marker yet, but this checkout's dead run was creating it.
  expect(decideCluster({ ...f, exists: true, halfCreatedByDeadRun: true })).toMatchObject({ action: 'recreate' });
});

test('teardown deletes only a cluster whose marker, read again, names this run and checkout, or one it was still creating', () => {
  const base = { runId: 'r2', checkout: '/src/a/.kind', createStartedByThisRun: true, nodesNewerThanCreateStart: true };
  expect(mayDelete({ ...base, marker: { configHash: 'h', checkout: '/src/a/.kind', runId: 'r2' } })).toBe(true);
  // A stale state.json: the cluster now carries another run's or checkout's marker, or was kept on purpose.
  expect(mayDelete({ ...base, marker: { configHash: 'h', checkout: '/src/a/.kind', runId: 'r1' } })).toBe(false);
  expect(mayDelete({ ...base, marker: { configHash: 'h', checkout: '/src/b/.kind', runId: 'r2' } })).toBe(false);
  expect(mayDelete({ ...base, marker: { configHash: 'h', checkout: '/src/a/.kind', runId: 'r2', kept: true } })).toBe(false);
  // No marker: only the nodes this run's own `kind create` made (a user's older cluster of the same name is not).
  expect(mayDelete(base)).toBe(true);
  expect(mayDelete({ ...base, nodesNewerThanCreateStart: false })).toBe(false);
  expect(mayDelete({ ...base, createStartedByThisRun: false })).toBe(false);
});

test('settings: defaults, overrides and one-line errors naming the variable', () => {
  expect(readSettings({})).toMatchObject({ clusterName: 'myk8s', baselineClusterName: 'myk8s-iptables', nodeImage: 'kindest/node:v1.31.0@sha256:53df588e04085fd41ae12de0c3fe4c72f7013bba32a20e7325357a1ac94ba865', keepCluster: false, requests: 300 });
  expect(readSettings({ KIND_CLUSTER_NAME: 'lab', KEEP_CLUSTER: '1', REQUESTS: '90' })).toMatchObject({ clusterName: 'lab', baselineClusterName: 'lab-iptables', keepCluster: true, requests: 90 });
  expect(() => readSettings({ REQUESTS: 'many' })).toThrow(new InputError('REQUESTS="many" must be a whole number from 3 to 100000'));
  expect(() => readSettings({ KIND_CLUSTER_NAME: 'My_Cluster' })).toThrow(/KIND_CLUSTER_NAME="My_Cluster" is not a valid kind cluster name/);
  expect(() => readSettings({ KEEP_CLUSTER: 'maybe' })).toThrow(/KEEP_CLUSTER/);
});

test('preflight: IPVS is refused from v1.40 and warned about from v1.35', () => {
  expect(imageMinorVersion('kindest/node:v1.31.0@sha256:53df')).toBe(31);
  expect(checkNodeImage('kindest/node:v1.31.0')).toEqual({});
  expect(checkNodeImage('kindest/node:v1.35.1').warning).toMatch(/deprecated since Kubernetes 1\.35/);
  expect(() => checkNodeImage('kindest/node:v1.40.0')).toThrow(PreflightError);
  expect(() => checkNodeImage('kindest/node:v1.40.0')).toThrow(/KubeProxyIPVS feature gate is off by default/);
});

const svc = (name: string, clusterIP: string, ports: V1ServicePort[]): V1Service => ({
  metadata: { name, namespace: 'default' },
  spec: { clusterIP, clusterIPs: [clusterIP], ports },
});

test('cluster.json assembly from Services, EndpointSlices, Nodes and the kube-proxy ConfigMap', () => {
  const slice: V1EndpointSlice = {
    addressType: 'IPv4',
    metadata: { namespace: 'default', labels: { 'kubernetes.io/service-name': 'svc-clusterip' } },
    ports: [{ name: 'svc-webport', protocol: 'TCP', port: 80 }],
    endpoints: [
      { addresses: ['10.10.1.2'], conditions: { ready: true }, nodeName: 'myk8s-worker', targetRef: { kind: 'Pod', name: 'webpod1' } },
      { addresses: ['10.10.2.2'], conditions: { ready: false }, nodeName: 'myk8s-worker2', targetRef: { kind: 'Pod', name: 'webpod2' } },
      { addresses: ['10.10.3.2'], nodeName: 'myk8s-worker3', targetRef: { kind: 'Pod', name: 'webpod3' } },
    ],
  };
  const cluster = assembleClusterJson({
    kubeProxyConfigMap: { data: { 'config.conf': 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: ipvs\nipvs:\n  scheduler: ""\n  strictARP: true\n' } },
    nodes: [{ metadata: { name: 'myk8s-worker' }, status: { addresses: [{ type: 'Hostname', address: 'x' }, { type: 'InternalIP', address: '172.18.0.3' }] } }],
    services: [
      svc('svc-clusterip', '10.200.1.245', [{ name: 'svc-webport', port: 9000, protocol: 'TCP', targetPort: 80 }]),
      svc('svc-headless', 'None', [{ name: 'http', port: 80 }]),
      svc('svc-nodeport', '10.200.1.80', [{ name: 'http', port: 9080, protocol: 'TCP', targetPort: 80, nodePort: 30080 }]),
      { metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'example.invalid' } },
    ],
    endpointSlices: [slice, { ...slice, addressType: 'IPv6', endpoints: [{ addresses: ['fd00::1'] }] }],
  });
  expect(cluster.proxyMode).toBe('ipvs');
  expect(cluster.kubeProxyConfig.ipvs).toEqual({ scheduler: '', strictARP: true });
  expect(cluster.nodes).toEqual([{ name: 'myk8s-worker', internalIP: '172.18.0.3' }]);
  expect(cluster.services.map((s) => s.name)).toEqual(['svc-clusterip', 'svc-headless', 'svc-nodeport']);
  expect(cluster.services[2]!.ports[0]).toEqual({ name: 'http', protocol: 'TCP', port: 9080, nodePort: 30080, endpoints: [] });
  expect(cluster.formatVersion).toBe(5);
  expect(cluster.services[0]).toEqual({
    namespace: 'default', name: 'svc-clusterip', clusterIPs: ['10.200.1.245'],
    ports: [{ name: 'svc-webport', protocol: 'TCP', port: 9000, endpoints: [
      { ip: '10.10.1.2', port: 80, ready: true, serving: true, terminating: false, nodeName: 'myk8s-worker', pod: 'webpod1' },
      { ip: '10.10.2.2', port: 80, ready: false, serving: false, terminating: false, nodeName: 'myk8s-worker2', pod: 'webpod2' },
      { ip: '10.10.3.2', port: 80, ready: true, serving: true, terminating: false, nodeName: 'myk8s-worker3', pod: 'webpod3' },
      // An IPv6 slice's endpoints are kept too: the IPv6 proxier of a dual-stack node uses them.
      { ip: 'fd00::1', port: 80, ready: true, serving: true, terminating: false },
    ] }],
  });
  expect(cluster.services[1]!.clusterIPs).toEqual(['None']);
});

test('cluster.json carries the Service shapes kube-proxy reads: LB ingress, external IPs, source ranges, policies, affinity', () => {
  const lb: V1Service = {
    metadata: { name: 'svc-lb', namespace: 'default' },
    spec: {
      type: 'LoadBalancer', clusterIP: '10.200.1.70', clusterIPs: ['10.200.1.70', 'fd00:10:200::70'], externalIPs: ['192.0.2.9'],
      externalTrafficPolicy: 'Local', healthCheckNodePort: 31999, loadBalancerSourceRanges: ['172.18.0.0/16'],
      sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
      ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 31000 }],
    },
    status: { loadBalancer: { ingress: [{ ip: '172.18.255.200' }, { ip: '172.18.255.201', ipMode: 'Proxy' }, { hostname: 'lb.example.invalid' }] } },
  };
  const affinityDefault: V1Service = { metadata: { name: 'svc-sticky', namespace: 'default' }, spec: { clusterIP: '10.200.1.71', sessionAffinity: 'ClientIP', ports: [{ port: 80 }] } };
  const cluster = assembleClusterJson({
    kubeProxyConfigMap: { data: { 'config.conf': 'mode: ipvs\n' } },
    nodes: [], services: [lb, affinityDefault], endpointSlices: [],
  });
  expect(cluster.services[0]).toEqual({
    namespace: 'default', name: 'svc-lb', clusterIPs: ['10.200.1.70', 'fd00:10:200::70'], type: 'LoadBalancer', externalIPs: ['192.0.2.9'],
    loadBalancerIngress: [{ ip: '172.18.255.200' }, { ip: '172.18.255.201', ipMode: 'Proxy' }, { hostname: 'lb.example.invalid' }],
    loadBalancerSourceRanges: ['172.18.0.0/16'], externalTrafficPolicy: 'Local', healthCheckNodePort: 31999, sessionAffinity: { clientIPTimeoutSeconds: 60 },
    ports: [{ name: 'http', protocol: 'TCP', port: 80, nodePort: 31000, endpoints: [] }],
  });
  // The API server defaults the timeout to three hours.
  expect(cluster.services[1]!.sessionAffinity).toEqual({ clientIPTimeoutSeconds: 10800 });
});

test('manifests load into the run namespace with the run label, node names mapped', async () => {
  const objs = await loadManifest('workload.yaml', 'ns-1', 'run-1', (n) => (n.endsWith('control-plane') ? undefined : n.replace('myk8s-', 'lab-')));
  expect(objs.map((o) => o.metadata?.name)).toEqual(['webpod1', 'webpod2', 'webpod3', 'svc-clusterip']);
  expect(objs.every((o) => o.metadata?.namespace === 'ns-1' && o.metadata.labels?.['ipvs-conformance/run'] === 'run-1')).toBe(true);
  expect((objs[1] as { spec?: { nodeName?: string } }).spec?.nodeName).toBe('lab-worker2');
});

test('kind delete is pinned to the private kubeconfig, so the user’s kubeconfig is never edited', () => {
  expect(deleteClusterArgv({ name: 'myk8s', kubeconfig: '.kind/myk8s.kubeconfig' })).toEqual(['delete', 'cluster', '--name', 'myk8s', '--kubeconfig', '.kind/myk8s.kubeconfig']);
});

test('the balance test’s time limit follows REQUESTS', () => {
  expect(balanceTestTimeoutMs(300)).toBe(30_000 + 300 * 3_000 + 5 * 60_000);
  expect(balanceTestTimeoutMs(3000)).toBeGreaterThan(balanceTestTimeoutMs(300));
});

test('kube-proxy log causes map to one actionable line each', () => {
  expect(explainKubeProxyLog('E1126 server.go:556] "Error running ProxyServer" err="can\'t use the IPVS proxier: error getting ipset version"')).toMatch(/sudo modprobe -a ip_vs ip_vs_rr ip_vs_wrr ip_vs_sh nf_conntrack/);
  expect(explainKubeProxyLog('failed to create fsnotify watcher: too many open files')).toMatch(/fs\.inotify\.max_user_instances=512/);
  expect(explainKubeProxyLog('I1126 "Using ipvs Proxier"')).toBeUndefined();
  // The real line of kube-proxy v1.34.4 on a kind node whose host kernel has no IPVS (this project's CI host).
  expect(explainKubeProxyLog('E1130 10:02:11.123456       1 run.go:72] "command failed" err="can\'t use the IPVS proxier: Ipvs not supported"')).toMatch(/kernel modules are missing/);
  // Rootless Docker: the modules are there, netlink is refused. Not a missing-module problem.
  const rootless = explainKubeProxyLog('E1130 "Error running ProxyServer" err="can\'t use the IPVS proxier: operation not permitted"');
  expect(rootless).toMatch(/^kube-proxy may not program IPVS on this host \("operation not permitted"\)/);
  expect(rootless).not.toMatch(/modprobe/);
});

test('inotify: a warning below kind’s recommended limits, silence at or above them', () => {
  expect(inotifyWarning(128, 524288)).toMatch(/max_user_instances=128.*sysctl -w fs\.inotify\.max_user_instances=512/);
  expect(inotifyWarning(512, 8192)).toMatch(/max_user_watches=8192/);
  expect(inotifyWarning(512, 524288)).toBeUndefined();
  expect(inotifyWarning(undefined, undefined)).toBeUndefined();
});

test('host ports: read from the kind config; a container publishing one (or a range) is named', () => {
  expect(hostPortsOf('nodes:\n- role: control-plane\n  extraPortMappings:\n  - containerPort: 30000\n    hostPort: 30000\n  - containerPort: 30001\n    hostPort: 30001\n- role: worker\n')).toEqual([30000, 30001]);
  const ps = 'other-control-plane\t0.0.0.0:30000-30002->30000-30002/tcp, 127.0.0.1:41234->6443/tcp\nweb\t0.0.0.0:8080->80/tcp\nidle\t';
  expect([...containersHoldingPorts(ps, [30000, 30001, 30003, 8080])]).toEqual([[30000, 'other-control-plane'], [30001, 'other-control-plane'], [8080, 'web']]);
});

test('a cluster whose API server does not answer is one line naming it and the delete command, no raw ECONNREFUSED stack', () => {
  const e = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:41234\n    at TCPConnectWrap'), { code: 'ECONNREFUSED' });
  const line = unreachableClusterLine('myk8s', e);
  expect(line).toBe('kind cluster myk8s exists but its API server does not answer (ECONNREFUSED): its containers are stopped or it was half created; delete it with `kind delete cluster --name myk8s` and run again');
  expect(line).not.toContain('\n');
});

test('kind config per image: gates dropped from the version where they lock, kept before; the rest untouched', async () => {
  const template = await readFile(KIND_CONFIGS.ipvs, 'utf8');
  const gates = (image: string) => Object.keys(loadYaml<{ featureGates?: object }>(kindConfigForImage(template, image)).featureGates ?? {});
  expect(gates('kindest/node:v1.31.0@sha256:53df')).toEqual(['InPlacePodVerticalScaling', 'MultiCIDRServiceAllocator']);
  expect(gates('kindest/node:v1.34.0')).toEqual(['InPlacePodVerticalScaling']);
  expect(gates('kindest/node:v1.35.0')).toEqual([]);
  expect(gates('kindest/node:v1.26.0')).toEqual([]);
  const generated = loadYaml<{ networking: object; nodes: unknown[] }>(kindConfigForImage(template, 'kindest/node:v1.37.2'));
  expect(generated.networking).toEqual({ podSubnet: '10.10.0.0/16', serviceSubnet: '10.200.1.0/24', kubeProxyMode: 'ipvs' });
  expect(generated.nodes).toHaveLength(4);
  expect(kindConfigForImage(template, 'my-registry/node:custom')).toBe(template);
});

test('kind version: a warning unless kind matches the release the node image was built for', () => {
  const pinned = 'kindest/node:v1.31.0@sha256:53df588e04085fd41ae12de0c3fe4c72f7013bba32a20e7325357a1ac94ba865';
  expect(kindVersionWarning('kind v0.24.0 go1.22.6 linux/amd64', pinned)).toBeUndefined();
  expect(kindVersionWarning('kind v0.29.0 go1.24.2 linux/amd64', pinned)).toMatch(/tested with kind v0\.24\.0/);
  expect(kindVersionWarning('kind v0.24.0 go1.22.6 linux/amd64', 'kindest/node:v1.33.1')).toMatch(/not in the suite's table/);
});

test('cluster.json leaves out what kube-proxy ignores, and carries policy, zones and hints', () => {
  const slice: V1EndpointSlice = {
    addressType: 'IPv4',
    metadata: { namespace: 'default', labels: { 'kubernetes.io/service-name': 'svc-local' } },
    ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
    endpoints: [{ addresses: ['10.10.1.2'], conditions: { ready: true }, nodeName: 'w1', hints: { forZones: [{ name: 'z1' }] } }],
  };
  const local = svc('svc-local', '10.200.1.60', [{ name: 'http', port: 8080 }]);
  local.spec!.internalTrafficPolicy = 'Local';
  const other = svc('svc-other', '10.200.1.62', [{ name: 'http', port: 8080 }]);
  other.metadata!.labels = { 'service.kubernetes.io/service-proxy-name': 'another' };
  const cluster = assembleClusterJson({
    kubeProxyConfigMap: { data: { 'config.conf': 'mode: ipvs\n' } },
    nodes: [{ metadata: { name: 'w1', labels: { 'topology.kubernetes.io/zone': 'z1' } }, status: { addresses: [{ type: 'InternalIP', address: '172.18.0.3' }] } }],
    services: [local, other],
    endpointSlices: [slice],
  });
  expect(cluster.nodes).toEqual([{ name: 'w1', internalIP: '172.18.0.3', zone: 'z1' }]);
  expect(cluster.services.map((s) => s.name)).toEqual(['svc-local']);
  expect(cluster.services[0]!.internalTrafficPolicy).toBe('Local');
  expect(cluster.services[0]!.ports[0]!.endpoints[0]).toMatchObject({ ip: '10.10.1.2', zoneHints: ['z1'] });
});

test('an image that cannot be pulled is named at once with the setting that picks it, not after a 5-minute wait', () => {
  const setting = (pod: string) => (pod.startsWith('webpod') ? 'WEBPOD_IMAGE' : undefined);
  const waiting = { pod: 'webpod1', image: 'traefik/whoami', reason: 'ContainerCreating' };
  expect(imagePullLine([waiting], setting)).toBeUndefined();
  expect(imagePullLine([{ pod: 'net-pod', image: 'nicolaka/netshoot' }], setting)).toBeUndefined();
  // kubelet's message for a pull with no registry reachable (this machine), first line only.
  const pull = { pod: 'webpod2', image: 'traefik/whoami', reason: 'ErrImagePull', message: 'failed to pull and unpack image "docker.io/traefik/whoami:latest": dial tcp: lookup registry-1.docker.io: no such host\nmore' };
  expect(imagePullLine([waiting, pull], setting)).toBe(
    'pod webpod2 cannot get image traefik/whoami (ErrImagePull: failed to pull and unpack image "docker.io/traefik/whoami:latest": dial tcp: lookup registry-1.docker.io: no such host); set WEBPOD_IMAGE to an image this cluster can pull or has loaded',
  );
  expect(imagePullLine([{ pod: 'coredns', image: 'x', reason: 'ImagePullBackOff' }], setting)).toBe('pod coredns cannot get image x (ImagePullBackOff); check the registry or load the image into the nodes');
});

test('migration on kind: nftables needs 1.31+; the third cluster is <name>-nftables', () => {
  expect(() => checkNftablesImage('kindest/node:v1.30.4')).toThrow(/nftables mode needs Kubernetes 1\.31 or newer/);
  expect(() => checkNftablesImage('kindest/node:v1.31.0@sha256:53df588e04085fd41ae12de0c3fe4c72f7013bba32a20e7325357a1ac94ba865')).not.toThrow();
  expect(readSettings({}).migrationClusterName).toBe('myk8s-nftables');
  expect(readSettings({ KIND_CLUSTER_NAME: 'lab' }).migrationClusterName).toBe('lab-nftables');
});

test('checkProxyMode asks a starting kube-proxy again, but a wrong mode fails at once', async () => {
  const answers = (...outs: string[]) => {
    let i = 0;
    const exec: Exec = { label: 'node', run: async () => ({ stdout: outs[Math.min(i++, outs.length - 1)]!, stderr: '', exitCode: 0 }) };
    return { exec, asked: () => i };
  };
  const starting = answers('', '', 'ipvs');
  await checkProxyMode('myk8s-worker', starting.exec, 'ipvs', 5, 1);
  expect(starting.asked()).toBe(3);
  const wrong = answers('iptables', 'ipvs');
  await expect(checkProxyMode('myk8s-worker', wrong.exec, 'ipvs', 5, 1)).rejects.toThrow('kube-proxy on myk8s-worker reports proxyMode "iptables" at 127.0.0.1:10249/proxyMode, expected "ipvs"');
  expect(wrong.asked()).toBe(1);
  const silent = answers('');
  await expect(checkProxyMode('myk8s-worker', silent.exec, 'ipvs', 4, 1)).rejects.toThrow('reports proxyMode "no answer"');
  expect(silent.asked()).toBe(4);
});

test('run lock: a live run of the checkout is refused, a dead one is taken over, and only the holder releases it', async () => {
  const dir = test.info().outputPath('state');
  const live = { runId: 'other', pid: 1, startTime: processStartTime(1)! };
  await mkdir(dir, { recursive: true });
  await writeFile(lockPath(dir), JSON.stringify(live));
  expect(await takeLock(dir, 'mine')).toEqual({ taken: false, holder: live });
  expect(isOurs(await readLock(dir))).toBe(false);
  await releaseLock(dir); // not ours: left alone
  expect(await readLock(dir)).toEqual(live);
  // The same pid with another start time is a reused pid, not the run that wrote the lock.
  await writeFile(lockPath(dir), JSON.stringify({ ...live, startTime: '1' }));
  expect(await takeLock(dir, 'mine')).toEqual({ taken: true });
  expect(isOurs(await readLock(dir))).toBe(true);
  expect((await readLock(dir))!.runId).toBe('mine');
  await releaseLock(dir);
  expect(await readLock(dir)).toBeUndefined();
  // A half-written lock of a killed run is nobody's.
  await writeFile(lockPath(dir), '{"runId":');
  expect(await takeLock(dir, 'next')).toEqual({ taken: true });
});
