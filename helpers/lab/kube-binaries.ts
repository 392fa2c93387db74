// Where bin/build-kube-binaries leaves Kubernetes' own binaries, and what the lab lacks when they are not there.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const DEFAULT_KUBE_VERSION = 'v1.34.4';
/** A kube-proxy that logs the IPVS deprecation (KEP-5495), built by the same script. */
export const DEPRECATING_PROXY_VERSION = 'v1.37.2';

const REPO = join(import.meta.dirname, '..', '..');

export function binaryCache(): string {
  return resolve(REPO, process.env.IPVS_CONFORMANCE_BIN_CACHE ?? '.cache/kube');
}

export interface ControlPlaneBinaries {
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
}

export function controlPlaneBinaries(version = DEFAULT_KUBE_VERSION): ControlPlaneBinaries {
  const dir = join(binaryCache(), version);
  return { etcd: join(dir, 'etcd'), kubeApiserver: join(dir, 'kube-apiserver'), kubeControllerManager: join(dir, 'kube-controller-manager') };
}

export function kubeProxyBinary(version = DEFAULT_KUBE_VERSION): string {
  return join(binaryCache(), version, 'kube-proxy');
}

/** The built binaries the lab needs that are not in the cache, as one readable item each. */
export function missingKubeBinaries(): string[] {
  const cp = controlPlaneBinaries();
  const wanted = [cp.etcd, cp.kubeApiserver, cp.kubeControllerManager, kubeProxyBinary(), kubeProxyBinary(DEPRECATING_PROXY_VERSION)];
  return wanted.filter((p) => !existsSync(p)).map((p) => `${p} (run bin/build-kube-binaries)`);
}
