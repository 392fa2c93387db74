// A locally built image that stands in for kind nodes and netshoot where no registry can be reached:
// a busybox-static rootfs imported with `docker import`. It proves the docker backends, not kube-proxy.
import { execa } from 'execa';
import { mkdtemp, mkdir, copyFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const STANDIN_IMAGE = 'ipvs-conformance/standin:busybox';
const BUSYBOX = '/bin/busybox';

export async function dockerReachable(): Promise<string | undefined> {
  const r = await execa('docker', ['version', '--format', '{{.Server.Version}}'], { reject: false });
  return r.exitCode === 0 ? undefined : String(r.stderr || r.shortMessage).split('\n')[0];
}

export async function ensureStandinImage(): Promise<void> {
  const have = await execa('docker', ['image', 'inspect', STANDIN_IMAGE], { reject: false });
  if (have.exitCode === 0) return;
  const dir = await mkdtemp(join(tmpdir(), 'standin-'));
  try {
    const root = join(dir, 'rootfs');
    await mkdir(join(root, 'bin'), { recursive: true });
    await mkdir(join(root, 'tmp'), { recursive: true });
    await copyFile(BUSYBOX, join(root, 'bin', 'busybox'));
    const applets = String((await execa(BUSYBOX, ['--list'])).stdout).split('\n').filter((a) => a && a !== 'busybox');
    for (const a of applets) await symlink('busybox', join(root, 'bin', a));
    await execa('tar', ['-C', root, '-cf', join(dir, 'rootfs.tar'), '.']);
    await execa('docker', ['import', '--change', 'ENV PATH=/bin', join(dir, 'rootfs.tar'), STANDIN_IMAGE]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
