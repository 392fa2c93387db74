import { CoreV1Api, DiscoveryV1Api, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import type { KubectlTarget } from '../exec/process-exec.js';
import { InputError } from '../snapshot/input-error.js';

export interface K8s {
  kc: KubeConfig;
  core: CoreV1Api;
  discovery: DiscoveryV1Api;
  objects: KubernetesObjectApi;
  target: KubectlTarget;
}

/** Typed clients on an explicit kubeconfig file and context: the user's current context is never consulted. */
export function k8sClients(target: KubectlTarget): K8s {
  if (!existsSync(target.kubeconfig)) throw new InputError(`kubeconfig ${target.kubeconfig} does not exist`);
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(target.kubeconfig);
  } catch (e) {
    throw new InputError(`kubeconfig ${target.kubeconfig} cannot be read: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!kc.getContextObject(target.context)) throw new InputError(`kubeconfig ${target.kubeconfig} has no context "${target.context}"`);
  kc.setCurrentContext(target.context);
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    discovery: kc.makeApiClient(DiscoveryV1Api),
    objects: KubernetesObjectApi.makeApiClient(kc),
    target,
  };
}
