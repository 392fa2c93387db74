// A real Kubernetes control plane on the host: etcd, kube-apiserver (client certificates, RBAC) and
// kube-controller-manager running only the controllers a kubelet-less lab needs (EndpointSlices and the default
// ServiceAccount). Certificates are generated per run with openssl; every port is chosen free.
import { execa, type ResultPromise } from 'execa';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ControlPlaneBinaries } from './kube-binaries.js';
import { SERVICE_CIDRS } from './topology.js';

/** The seed's service range; the scale benchmark needs room for a thousand ClusterIPs more. */
export const SERVICE_CIDR = SERVICE_CIDRS.v4;
const READY_TIMEOUT_MS = 60_000;

export interface ControlPlaneOptions {
  dir: string;
  bins: ControlPlaneBinaries;
  /** The control-plane node's IP: the `kubernetes` Service's endpoint, as on kind. */
  advertiseAddress: string;
  /** Host addresses clients dial (in the serving certificate). */
  serverAddresses: string[];
  serviceCIDR?: string;
  log?: (line: string) => void;
}

interface Pki {
  ca: string;
  serving: { cert: string; key: string };
  admin: { cert: string; key: string };
  kubeProxy: { cert: string; key: string };
  saKey: string;
  saPub: string;
}

export class ControlPlane {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly pki: Pki,
    private readonly procs: { name: string; proc: ResultPromise }[],
  ) {}

  static async start(o: ControlPlaneOptions): Promise<ControlPlane> {
    const log = o.log ?? (() => {});
    // A fresh etcd every time: a cluster left by an earlier run must not leak its objects into this one.
    await rm(o.dir, { recursive: true, force: true });
    await mkdir(o.dir, { recursive: true });
    const pki = await makePki(join(o.dir, 'pki'), o.serverAddresses);
    const [etcdClient, etcdPeer, apiPort, kcmPort] = (await freePorts(4)) as [number, number, number, number];
    const procs: { name: string; proc: ResultPromise }[] = [];
    const cp = new ControlPlane(o.dir, apiPort, pki, procs);
    try {
      const etcdUrl = `http://127.0.0.1:${etcdClient}`;
      procs.push(spawn(o.dir, 'etcd', o.bins.etcd, etcdArgs(o.dir, etcdUrl, `http://127.0.0.1:${etcdPeer}`)));
      procs.push(spawn(o.dir, 'kube-apiserver', o.bins.kubeApiserver, apiserverArgs(pki, etcdUrl, apiPort, o.advertiseAddress, o.serviceCIDR ?? SERVICE_CIDR)));
      await cp.waitReady(log);
      await writeFile(cp.adminKubeconfig, kubeconfig(`https://127.0.0.1:${apiPort}`, pki.ca, pki.admin));
      procs.push(spawn(o.dir, 'kube-controller-manager', o.bins.kubeControllerManager, kcmArgs(o.dir, cp.adminKubeconfig, kcmPort)));
      return cp;
    } catch (e) {
      await cp.stop();
      throw e;
    }
  }

  get adminKubeconfig(): string {
    return join(this.dir, 'admin.kubeconfig');
  }

  /** A kubeconfig for kube-proxy (user system:kube-proxy, bound to system:node-proxier by the default RBAC). */
  async writeKubeProxyKubeconfig(serverAddress: string): Promise<string> {
    const file = join(this.dir, `kube-proxy-${serverAddress}.kubeconfig`);
    await writeFile(file, kubeconfig(`https://${serverAddress}:${this.port}`, this.pki.ca, this.pki.kubeProxy));
    return file;
  }

  /** Each process's log, for evidence. */
  async logs(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const { name } of this.procs) out[`${name}.log`] = await readFile(join(this.dir, `${name}.log`), 'utf8').catch(() => '');
    return out;
  }

  /** Stops in reverse order and waits for each exit, so ports are free again when this returns. */
  async stop(): Promise<void> {
    for (const { proc } of [...this.procs].reverse()) {
      proc.kill('SIGTERM');
      const exited = await Promise.race([proc.then(() => true, () => true), sleep(10_000).then(() => false)]);
      if (!exited) proc.kill('SIGKILL');
      await proc.catch(() => undefined);
    }
    this.procs.length = 0;
  }

  private async waitReady(log: (line: string) => void): Promise<void> {
    const start = Date.now();
    while (Date.now() - start < READY_TIMEOUT_MS) {
      for (const { name, proc } of this.procs) {
        if (proc.exitCode !== null && proc.exitCode !== undefined) throw new Error(`${name} exited ${proc.exitCode} during start-up: ${await this.tail(name)}`);
      }
      if (await this.readyz()) {
        log(`kube-apiserver ready on :${this.port} after ${Date.now() - start} ms`);
        return;
      }
      await sleep(250);
    }
    throw new Error(`kube-apiserver not ready after ${READY_TIMEOUT_MS} ms: ${await this.tail('kube-apiserver')}`);
  }

  private async readyz(): Promise<boolean> {
    const [ca, cert, key] = await Promise.all([this.pki.ca, this.pki.admin.cert, this.pki.admin.key].map((f) => readFile(f)));
    return new Promise((resolve) => {
      const req = request(
        { host: '127.0.0.1', port: this.port, path: '/readyz', ca, cert, key, timeout: 2_000 },
        (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        },
      );
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
      req.end();
    });
  }

  private async tail(name: string): Promise<string> {
    const text = await readFile(join(this.dir, `${name}.log`), 'utf8').catch(() => '');
    return text.trim().split('\n').slice(-3).join(' | ');
  }
}

function spawn(dir: string, name: string, bin: string, args: string[]): { name: string; proc: ResultPromise } {
  const out = createWriteStream(join(dir, `${name}.log`));
  const proc = execa(bin, args, { stdin: 'ignore', reject: false, buffer: false, cwd: dir });
  proc.stdout?.pipe(out);
  proc.stderr?.pipe(out);
  return { name, proc };
}

function etcdArgs(dir: string, clientUrl: string, peerUrl: string): string[] {
  return [
    '--name=lab', `--data-dir=${join(dir, 'etcd-data')}`, `--listen-client-urls=${clientUrl}`, `--advertise-client-urls=${clientUrl}`,
    `--listen-peer-urls=${peerUrl}`, `--initial-advertise-peer-urls=${peerUrl}`, `--initial-cluster=lab=${peerUrl}`, '--log-level=warn',
  ];
}

function apiserverArgs(pki: Pki, etcdUrl: string, port: number, advertiseAddress: string, serviceCIDR: string): string[] {
  return [
    `--etcd-servers=${etcdUrl}`, '--bind-address=0.0.0.0', `--secure-port=${port}`, `--advertise-address=${advertiseAddress}`,
    `--tls-cert-file=${pki.serving.cert}`, `--tls-private-key-file=${pki.serving.key}`, `--client-ca-file=${pki.ca}`,
    `--service-account-key-file=${pki.saPub}`, `--service-account-signing-key-file=${pki.saKey}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local', `--service-cluster-ip-range=${serviceCIDR}`,
    '--authorization-mode=RBAC', '--enable-priority-and-fairness=false', '--profiling=false',
  ];
}

function kcmArgs(dir: string, kubeconfigFile: string, port: number): string[] {
  return [
    `--kubeconfig=${kubeconfigFile}`, '--controllers=endpointslice,endpointslicemirroring,serviceaccount', '--leader-elect=false',
    `--secure-port=${port}`, '--bind-address=127.0.0.1', `--cert-dir=${join(dir, 'kcm-certs')}`, '--profiling=false',
    // The default 20 requests/s would make a thousand EndpointSlices take most of a minute in the scale benchmark.
    '--kube-api-qps=500', '--kube-api-burst=1000',
  ];
}

function kubeconfig(server: string, ca: string, user: { cert: string; key: string }): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: lab\n  cluster:\n    server: ${server}\n    certificate-authority: ${ca}`,
    'users:',
    `- name: lab\n  user:\n    client-certificate: ${user.cert}\n    client-key: ${user.key}`,
    'contexts:',
    '- name: lab\n  context:\n    cluster: lab\n    user: lab',
    'current-context: lab',
    '',
  ].join('\n');
}

export const LAB_CONTEXT = 'lab';

/** A CA, a serving certificate, client certificates for an admin and for kube-proxy, and a service-account key. */
async function makePki(dir: string, serverAddresses: string[]): Promise<Pki> {
  await mkdir(dir, { recursive: true });
  const cnf = join(dir, 'openssl.cnf');
  // A minimal config, so no default extension (such as CA:true on every certificate) sneaks in.
  await writeFile(cnf, '[req]\ndistinguished_name=dn\n[dn]\n');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-config', cnf];
  const path = (n: string) => ({ cert: join(dir, `${n}.crt`), key: join(dir, `${n}.key`) });
  const ca = path('ca');
  await execa('openssl', ['req', '-x509', ...ec, '-keyout', ca.key, '-out', ca.cert, '-subj', '/CN=ipvs-conformance-lab-ca', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const leaf = async (n: string, subj: string, ext: string[]) => {
    const p = path(n);
    await execa('openssl', ['req', '-x509', ...ec, '-CA', ca.cert, '-CAkey', ca.key, '-keyout', p.key, '-out', p.cert, '-subj', subj, '-addext', 'basicConstraints=critical,CA:FALSE', ...ext.flatMap((e) => ['-addext', e])]);
    return p;
  };
  const sans = ['DNS:localhost', 'DNS:kubernetes', 'DNS:kubernetes.default', 'IP:127.0.0.1', 'IP:10.200.1.1', ...serverAddresses.map((a) => `IP:${a}`)];
  const [serving, admin, kubeProxy] = await Promise.all([
    leaf('apiserver', '/CN=kube-apiserver', [`subjectAltName=${sans.join(',')}`, 'extendedKeyUsage=serverAuth']),
    leaf('admin', '/O=system:masters/CN=ipvs-conformance-lab-admin', ['extendedKeyUsage=clientAuth']),
    leaf('kube-proxy', '/CN=system:kube-proxy', ['extendedKeyUsage=clientAuth']),
  ]);
  const saKey = join(dir, 'sa.key');
  const saPub = join(dir, 'sa.pub');
  await execa('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', saKey]);
  await execa('openssl', ['ec', '-in', saKey, '-pubout', '-out', saPub]);
  return { ca: ca.cert, serving, admin, kubeProxy, saKey, saPub };
}

/** Ports the kernel reports free right now (bound to port 0, then released). */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '0.0.0.0', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}
