// Preflight: each failure is ONE actionable line, thrown as a PreflightError whose stack is just that line,
// so Playwright prints the line and no stack trace.
import { execa } from 'execa';
import type { Exec } from '../exec/exec.js';
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

/** After creation: the node's kernel must have IPVS, or kube-proxy cannot program anything. */
export async function checkNodeHasIpvs(node: string, exec: Exec): Promise<void> {
  const r = await exec.run(['cat', '/proc/net/ip_vs']);
  if (r.exitCode !== 0) {
    throw new PreflightError(`node ${node} has no /proc/net/ip_vs: the host kernel lacks IPVS; load the modules on the Docker host with \`sudo modprobe -a ip_vs ip_vs_rr nf_conntrack\` and recreate the cluster`);
  }
}

/** kube-proxy's metrics endpoint reports the mode it really runs in. */
export async function checkProxyMode(node: string, exec: Exec, wanted: string): Promise<void> {
  const r = await exec.run(['curl', '-s', '--max-time', '5', 'http://127.0.0.1:10249/proxyMode']);
  const mode = r.stdout.trim();
  if (mode !== wanted) {
    throw new PreflightError(`kube-proxy on ${node} reports proxyMode "${mode || r.stderr.trim() || 'no answer'}" at 127.0.0.1:10249/proxyMode, expected "${wanted}"; check \`kubectl -n kube-system logs ds/kube-proxy\``);
  }
}
