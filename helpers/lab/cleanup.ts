// What a killed lab run (Ctrl-C, a crashed worker) can leave behind. Every process the lab starts inherits
// IPVS_CONFORMANCE_LAB_RUN (set once per test run), so cleanup kills only its own run's processes and never a
// concurrent run's. Host links are recorded per run; host netns are named `ipvslab-<worker pid>-*`.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { binaryCache } from './kube-binaries.js';

const REPO = join(import.meta.dirname, '..', '..');
const LINKS_DIR = join(REPO, '.lab', 'links');
export const RUN_ENV = 'IPVS_CONFORMANCE_LAB_RUN';

/** This test run's id: the runner's pid, set by the global setup; a process outside a run uses its own. */
export function labRun(): string {
  return process.env[RUN_ENV] ?? String(process.pid);
}

export async function recordLink(name: string): Promise<void> {
  await mkdir(join(LINKS_DIR, labRun()), { recursive: true });
  await writeFile(join(LINKS_DIR, labRun(), name), '');
}

export async function forgetLink(name: string): Promise<void> {
  await rm(join(LINKS_DIR, labRun(), name), { force: true });
}

/** Removes every leftover; returns one line per thing removed. */
export async function cleanupLabLeftovers(): Promise<string[]> {
  const done: string[] = [];
  for (const pid of ourProcesses()) {
    try {
      process.kill(pid, 'SIGKILL');
      done.push(`killed process ${pid}`);
    } catch {
      // already gone
    }
  }
  const netns = (await execa('ip', ['netns', 'list'], { reject: false })).stdout.split('\n').map((l) => l.split(' ')[0]!);
  for (const ns of netns.filter((n) => /^ipvslab-\d+-/.test(n) && !alive(Number(n.split('-')[1])))) {
    // A host cluster's backends (httpd, whoami.pl) live on in a netns whose name is deleted: kill them first.
    await killNetnsProcesses(ns);
    await execa('ip', ['netns', 'del', ns], { reject: false });
    done.push(`deleted netns ${ns}`);
  }
  // This run's links, and those of earlier runs whose runner is gone.
  for (const run of await readdir(LINKS_DIR).catch(() => [] as string[])) {
    if (run !== labRun() && alive(Number(run))) continue;
    for (const link of await readdir(join(LINKS_DIR, run))) {
      await execa('ip', ['link', 'del', link], { reject: false });
      done.push(`deleted link ${link}`);
    }
    await rm(join(LINKS_DIR, run), { recursive: true, force: true });
  }
  return done;
}

/**
 * Kubernetes binaries from this checkout's cache and UML guests, started by this run or by a run whose runner is
 * gone (killed with SIGKILL before its teardown: its guest would run on). A live concurrent run's are never touched.
 */
function ourProcesses(): number[] {
  const cache = binaryCache();
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const exe = readlinkSync(`/proc/${pid}/exe`);
      if (!(exe.startsWith(cache + '/') || exe.endsWith('/linux.uml'))) continue;
      const run = runOf(readFileSync(`/proc/${pid}/environ`, 'utf8'));
      if (run !== undefined && isLeftover(run, labRun(), alive)) pids.push(pid);
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return pids;
}

/** The lab run a process belongs to: the IPVS_CONFORMANCE_LAB_RUN of its environment (NUL-separated). */
export function runOf(environ: string): string | undefined {
  const entry = environ.split('\0').find((e) => e.startsWith(`${RUN_ENV}=`));
  return entry?.slice(RUN_ENV.length + 1);
}

/** A process is this run's to remove when it is this run's own, or its run's runner (a pid) is no longer alive. */
export function isLeftover(run: string, current: string, isAlive: (pid: number) => boolean): boolean {
  if (run === current) return true;
  const runner = Number(run);
  return Number.isInteger(runner) && runner > 0 && !isAlive(runner);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kills every process in a network namespace: a netns is only gone once its processes are. */
export async function killNetnsProcesses(netns: string): Promise<void> {
  const pids = (await execa('ip', ['netns', 'pids', netns], { reject: false })).stdout.split('\n').filter((p) => /^\d+$/.test(p));
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
