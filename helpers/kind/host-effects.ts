// What creating kind nodes changes on the Docker host itself, recorded before the first node exists and put back
// once the last one is gone: kubelet writes host-wide sysctls (as in any kind node, /proc/sys is the host's),
// `kind create` makes the `kind` Docker network, and Docker makes an empty /lib/modules for the nodes' bind mount.
import { execa } from 'execa';
import { existsSync, readdirSync } from 'node:fs';
import { readFile, rmdir, writeFile } from 'node:fs/promises';

/** The sysctls kubelet sets host-wide (kubelet's `protectKernelDefaults: false` path), as /proc/sys paths. */
export const KUBELET_SYSCTLS = ['vm/overcommit_memory', 'vm/panic_on_oom', 'kernel/panic', 'kernel/panic_on_oops', 'kernel/keys/root_maxkeys', 'kernel/keys/root_maxbytes'] as const;

export interface HostBefore {
  sysctls: Record<string, string>;
  kindNetworkExisted: boolean;
  libModulesExisted: boolean;
}

export async function kindNodeContainers(): Promise<string[]> {
  const r = await execa('docker', ['ps', '-aq', '--filter', 'label=io.x-k8s.kind.cluster'], { reject: false });
  return String(r.stdout).split('\n').filter(Boolean);
}

async function kindNetworkExists(): Promise<boolean> {
  return (await execa('docker', ['network', 'inspect', 'kind'], { reject: false })).exitCode === 0;
}

/** The host as it is with no kind node on it; undefined when some kind node already runs (not a clean "before"). */
export async function recordHostBefore(): Promise<HostBefore | undefined> {
  if ((await kindNodeContainers()).length > 0) return undefined;
  const sysctls: Record<string, string> = {};
  for (const k of KUBELET_SYSCTLS) {
    const v = await readFile(`/proc/sys/${k}`, 'utf8').catch(() => undefined);
    if (v !== undefined) sysctls[k] = v.trim();
  }
  return { sysctls, kindNetworkExisted: await kindNetworkExists(), libModulesExisted: existsSync('/lib/modules') };
}

/**
 * Puts the host back once no kind node is left; one line per thing done or left. `restored` is false while kind
 * nodes remain (kept clusters, or other users'): the record then stays for the run that removes the last one.
 */
export async function restoreHost(before: HostBefore | undefined): Promise<{ restored: boolean; lines: string[] }> {
  if (!before) return { restored: true, lines: [] };
  if ((await kindNodeContainers()).length > 0) return { restored: false, lines: ['kind nodes still run on this host: host sysctls and the kind network are left as they are until the last is gone'] };
  const lines: string[] = [];
  for (const [k, v] of Object.entries(before.sysctls)) {
    const now = (await readFile(`/proc/sys/${k}`, 'utf8').catch(() => v)).trim();
    if (now === v) continue;
    await writeFile(`/proc/sys/${k}`, v).then(
      () => lines.push(`host sysctl ${k.replaceAll('/', '.')} put back to ${v} (kubelet had set ${now})`),
      (e: Error) => lines.push(`could not put host sysctl ${k.replaceAll('/', '.')} back to ${v} (now ${now}): ${e.message.split('\n')[0]}`),
    );
  }
  if (!before.kindNetworkExisted && (await kindNetworkExists())) {
    const r = await execa('docker', ['network', 'rm', 'kind'], { reject: false });
    lines.push(r.exitCode === 0 ? 'removed the kind Docker network this run created' : `could not remove the kind Docker network: ${String(r.stderr).trim()}`);
  }
  if (!before.libModulesExisted && existsSync('/lib/modules') && readdirSync('/lib/modules').length === 0) {
    await rmdir('/lib/modules').then(() => lines.push('removed the empty /lib/modules Docker made for the nodes'), () => undefined);
  }
  return { restored: true, lines };
}
