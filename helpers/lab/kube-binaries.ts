// Where bin/build-kube-binaries leaves Kubernetes' own binaries and bin/build-uml-kernel the lab's own kernel, and
// what the lab lacks when they are not there.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { UmlKernel } from './uml-guest.js';

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
  const missing = wanted.filter((p) => !existsSync(p)).map((p) => `${p} (run bin/build-kube-binaries)`);
  return existsSync(labKernel().binary) ? missing : [...missing, `${labKernel().binary} (run bin/build-uml-kernel)`];
}

/** The lab's own UML kernel, with IPVS and nf_tables' ip/ip6/inet families (bin/build-uml-kernel). */
export function labKernel(): UmlKernel {
  const dir = resolve(REPO, process.env.IPVS_CONFORMANCE_UML_KERNEL ?? '.cache/uml-kernel');
  return { binary: join(dir, 'linux'), modules: join(dir, 'lib', 'modules') };
}
