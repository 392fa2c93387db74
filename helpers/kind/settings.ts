// Everything a user can set, from the environment, validated once. A bad value is one line naming the variable.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../snapshot/input-error.js';

export interface SuiteSettings {
  clusterName: string;
  baselineClusterName: string;
  /** The nftables-mode cluster of `--project migration`. */
  migrationClusterName: string;
  nodeImage: string;
  /** A kind config for the IPVS cluster in place of kind/ipvs.yaml (IPVS_CONFORMANCE_KIND_CONFIG). */
  kindConfig?: string;
  /** Keep clusters this run created (default: delete them in teardown). */
  keepCluster: boolean;
  /** Requests in the balance probe. */
  requests: number;
  mypcImage: string;
  /** The seed's images, for a registry mirror or a machine with no internet (bin/build-kind-images builds both). */
  webpodImage: string;
  netpodImage: string;
  /** Seconds a ClusterIP may take to appear on / vanish from kube-ipvs0 on every node. */
  convergenceSeconds: number;
  /** Where setup writes state (kubeconfigs, state.json) for the specs and teardown. */
  stateDir: string;
}

/** The images the seed's manifests name (fixtures/manifests), and the variables that replace them. */
export const SEED_IMAGES = { webpod: 'traefik/whoami', netpod: 'nicolaka/netshoot' } as const;
export const IMAGE_SETTINGS = { webpod: 'WEBPOD_IMAGE', netpod: 'NETPOD_IMAGE' } as const;

/** Pinned by digest: a tag can be re-pushed, a digest cannot (the image kind v0.24.0 was released with). */
export const DEFAULT_NODE_IMAGE = 'kindest/node:v1.31.0@sha256:53df588e04085fd41ae12de0c3fe4c72f7013bba32a20e7325357a1ac94ba865';

export function readSettings(env: NodeJS.ProcessEnv = process.env): SuiteSettings {
  const clusterName = name(env, 'KIND_CLUSTER_NAME', 'myk8s');
  return {
    clusterName,
    baselineClusterName: name(env, 'BASELINE_CLUSTER_NAME', `${clusterName}-iptables`),
    migrationClusterName: name(env, 'MIGRATION_CLUSTER_NAME', `${clusterName}-nftables`),
    nodeImage: env.KIND_NODE_IMAGE || DEFAULT_NODE_IMAGE,
    ...(env.IPVS_CONFORMANCE_KIND_CONFIG && { kindConfig: existingFile(env, 'IPVS_CONFORMANCE_KIND_CONFIG') }),
    keepCluster: flag(env, 'KEEP_CLUSTER'),
    requests: int(env, 'REQUESTS', 300, 3, 100_000),
    mypcImage: localToolsImage(env),
    ...seedImageSettings(env),
    convergenceSeconds: int(env, 'CONVERGENCE_SECONDS', 30, 1, 600),
    stateDir: env.IPVS_CONFORMANCE_STATE_DIR || '.kind',
  };
}

/** MYPC_IMAGE: the image the suite runs in the local Docker (mypc, and ipvsadm in a kind node's netns). */
export function localToolsImage(env: NodeJS.ProcessEnv): string {
  return env.MYPC_IMAGE || SEED_IMAGES.netpod;
}

/** WEBPOD_IMAGE and NETPOD_IMAGE, or the seed's own images. */
export function seedImageSettings(env: NodeJS.ProcessEnv): Pick<SuiteSettings, 'webpodImage' | 'netpodImage'> {
  return { webpodImage: env[IMAGE_SETTINGS.webpod] || SEED_IMAGES.webpod, netpodImage: env[IMAGE_SETTINGS.netpod] || SEED_IMAGES.netpod };
}

/** The seed's images as the settings replace them, keyed by the image the manifests name. */
export function seedImages(s: Pick<SuiteSettings, 'webpodImage' | 'netpodImage'>): Record<string, string> {
  return { [SEED_IMAGES.webpod]: s.webpodImage, [SEED_IMAGES.netpod]: s.netpodImage };
}

function name(env: NodeJS.ProcessEnv, key: string, fallback: string): string {
  const v = env[key] || fallback;
  // kind cluster names become container and context names: DNS-label rules.
  if (!/^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$/.test(v)) throw new InputError(`${key}=${JSON.stringify(v)} is not a valid kind cluster name (lowercase letters, digits and '-')`);
  return v;
}

function existingFile(env: NodeJS.ProcessEnv, key: string): string {
  const file = resolve(env[key]!);
  if (!existsSync(file)) throw new InputError(`${key}=${JSON.stringify(env[key])}: no such file`);
  return file;
}

function flag(env: NodeJS.ProcessEnv, key: string): boolean {
  const v = (env[key] ?? '').toLowerCase();
  if (['', '0', 'false', 'no'].includes(v)) return false;
  if (['1', 'true', 'yes'].includes(v)) return true;
  throw new InputError(`${key}=${JSON.stringify(env[key])} must be 1/true/yes or 0/false/no`);
}

function int(env: NodeJS.ProcessEnv, key: string, fallback: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new InputError(`${key}=${JSON.stringify(raw)} must be a whole number from ${min} to ${max}`);
  return n;
}

/** Kubernetes minor version of a kindest/node image tag, e.g. 31 for `kindest/node:v1.31.0@sha256:…`. */
export function imageMinorVersion(image: string): number | undefined {
  const m = /:v1\.(\d+)\./.exec(image);
  return m ? Number(m[1]) : undefined;
}
