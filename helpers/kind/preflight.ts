// Preflight: each failure is ONE actionable line, thrown as a PreflightError whose stack is just that line,
// so Playwright prints the line and no stack trace.
import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Exec } from '../exec/exec.js';
import { containersHoldingPorts, hostPortsOf, inotifyWarning, NODE_IPVS_CHECK, noIpvsLine } from './diagnose.js';
import { imageMinorVersion } from './settings.js';

export class PreflightError extends Error {
  constructor(line: string) {
    super(line);
    this.name = 'PreflightError';
    this.stack = `PreflightError: ${line}`;
  }
}

/** The first line of a command's output, or its error, without throwing. */
async function firstLine(file: string, args: string[]): Promise<{ ok: boolean; line: string }> {
  const r = await execa(file, args, { reject: false, timeout: 20_000 });
  const text = String(r.exitCode === 0 ? r.stdout : r.stderr || r.shortMessage || '').trim();
  return { ok: r.exitCode === 0, line: text.split('\n')[0] ?? '' };
}

export async function checkDocker(): Promise<string> {
  const r = await firstLine('docker', ['version', '--format', '{{.Server.Version}}']);
  if (!r.ok) throw new PreflightError(`the Docker daemon is not reachable (${r.line || 'docker not found'}): start Docker and check \`docker version\``);
  return `Docker ${r.line}`;
}

const INSTALL_HINT: Record<string, string> = {
  kind: 'install kind v0.24.0 or newer (see the kind quick start) and put it on PATH',
  kubectl: 'install kubectl matching your node image (v1.31 by default) and put it on PATH',
};

export async function checkTool(tool: 'kind' | 'kubectl'): Promise<string> {
  const r = await firstLine(tool, tool === 'kind' ? ['version'] : ['version', '--client']);
  if (!r.ok) throw new PreflightError(`${tool} is not on PATH (or does not run): ${INSTALL_HINT[tool]}`);
  return r.line;
}

/** IPVS mode is deprecated from 1.35 (KEP-5495) and its feature gate is planned off by default in 1.40. */
export function checkNodeImage(image: string): { warning?: string } {
  const minor = imageMinorVersion(image);
  if (minor !== undefined && minor >= 40) {
    throw new PreflightError(`${image}: from Kubernetes 1.40 the KubeProxyIPVS feature gate is off by default (KEP-5495), so kube-proxy will not run in IPVS mode; use KIND_NODE_IMAGE=kindest/node:v1.39.x or older`);
  }
  if (minor !== undefined && minor >= 35) return { warning: `${image}: IPVS mode is deprecated since Kubernetes 1.35 (KEP-5495); kube-proxy logs a deprecation warning` };
  return {};
}

/** nftables mode runs without a feature gate from Kubernetes 1.31 (beta; GA in 1.33), which kind/nftables.yaml assumes. */
export function checkNftablesImage(image: string): void {
  const minor = imageMinorVersion(image);
  if (minor !== undefined && minor < 31) {
    throw new PreflightError(`${image}: kube-proxy's nftables mode needs Kubernetes 1.31 or newer without the NFTablesProxyMode feature gate (KEP-3866); use KIND_NODE_IMAGE=kindest/node:v1.31.0 or newer for --project migration`);
  }
}

/**
 * Right after creation, before waiting on kube-proxy: the node's kernel must have IPVS (loaded, built in, or a
 * module kube-proxy can load), or kube-proxy crash-loops and the wait would only time out.
 */
export async function checkNodeHasIpvs(node: string, exec: Exec): Promise<void> {
  const r = await exec.run([...NODE_IPVS_CHECK]);
  if (r.exitCode !== 0) throw new PreflightError(noIpvsLine(node));
}

/** A warning (not a failure) when the host's inotify limits are below what six kind nodes need. */
export async function checkInotify(): Promise<string | undefined> {
  const read = (f: string) => readFile(`/proc/sys/fs/inotify/${f}`, 'utf8').then((t) => Number(t.trim()), () => undefined);
  return inotifyWarning(await read('max_user_instances'), await read('max_user_watches'));
}

/** Before `kind create`: every host port the config maps must be free; a container holding one is named. */
export async function checkHostPorts(kindConfig: string): Promise<void> {
  const ports = hostPortsOf(kindConfig);
  if (ports.length === 0) return;
  const ps = await execa('docker', ['ps', '--format', '{{.Names}}\t{{.Ports}}'], { reject: false });
  const held = containersHoldingPorts(String(ps.stdout), ports);
  for (const p of ports) if (!held.has(p) && !(await portFree(p))) held.set(p, 'a process on this host (not a container)');
  if (held.size > 0) {
    const list = [...held].map(([p, who]) => `${p} (held by ${who})`).join(', ');
    throw new PreflightError(`host ports the kind config maps are taken: ${list}; delete the other cluster (\`kind delete cluster --name <name>\`) or stop what holds them`);
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '0.0.0.0', () => s.close(() => resolve(true)));
  });
}

/**
 * kube-proxy's metrics endpoint reports the mode it really runs in. A kube-proxy still starting has no answer
 * yet: asked again every 2 s, `attempts` times; a wrong mode fails at once.
 */
export async function checkProxyMode(node: string, exec: Exec, wanted: string, attempts = 30, pauseMs = 2_000): Promise<void> {
  let last = '';
  for (let i = 0; i < attempts; i++) {
    const r = await exec.run(['curl', '-s', '--max-time', '5', 'http://127.0.0.1:10249/proxyMode']);
    const mode = r.stdout.trim();
    if (mode === wanted) return;
    if (mode !== '') throw new PreflightError(proxyModeLine(node, mode, wanted));
    last = r.stderr.trim();
    if (i + 1 < attempts) await new Promise((res) => setTimeout(res, pauseMs));
  }
  throw new PreflightError(proxyModeLine(node, last || 'no answer', wanted));
}

function proxyModeLine(node: string, seen: string, wanted: string): string {
  return `kube-proxy on ${node} reports proxyMode "${seen}" at 127.0.0.1:10249/proxyMode, expected "${wanted}"; check \`kubectl -n kube-system logs ds/kube-proxy\``;
}
