// One run per checkout at a time: a lock file in the state directory names the Playwright runner process (pid and
// start time, so a reused pid is not mistaken for it). A second run refuses in one line; teardown acts only for
// the run that holds the lock, never on another run's state; a dead holder's leftovers are the next run's to clean.
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export interface RunLock {
  runId: string;
  pid: number;
  /** Field 22 of /proc/<pid>/stat: with the pid, it names one process for the life of the machine. */
  startTime: string;
}

export function lockPath(stateDir: string): string {
  return join(stateDir, 'run.lock');
}

/** The absolute state directory: the identity of a checkout in cluster markers. */
export function checkoutId(stateDir: string): string {
  return resolve(stateDir);
}

/** The Playwright runner: a worker's parent, or this process when called from global setup or teardown. */
export function runnerPid(): number {
  return process.env.TEST_WORKER_INDEX === undefined ? process.pid : process.ppid;
}

export function processStartTime(pid: number): string | undefined {
  try {
    // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export function isAlive(lock: Pick<RunLock, 'pid' | 'startTime'>): boolean {
  return processStartTime(lock.pid) === lock.startTime;
}

export async function readLock(stateDir: string): Promise<RunLock | undefined> {
  const text = await readFile(lockPath(stateDir), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as RunLock;
  } catch {
    return undefined; // a half-written lock of a killed run: nobody holds it
  }
}

/** Whether the lock belongs to the runner this code runs under. */
export function isOurs(lock: RunLock | undefined): boolean {
  return lock !== undefined && lock.pid === runnerPid() && lock.startTime === processStartTime(lock.pid);
}

/** Takes the lock for a new run; returns the live holder instead when another run has it. */
export async function takeLock(stateDir: string, runId: string): Promise<{ taken: true } | { taken: false; holder: RunLock }> {
  const held = await readLock(stateDir);
  if (held && isAlive(held) && !isOurs(held)) return { taken: false, holder: held };
  const pid = runnerPid();
  await mkdir(stateDir, { recursive: true });
  await writeFile(lockPath(stateDir), JSON.stringify({ runId, pid, startTime: processStartTime(pid) ?? '' }) + '\n');
  return { taken: true };
}

export async function releaseLock(stateDir: string): Promise<void> {
  if (isOurs(await readLock(stateDir))) await rm(lockPath(stateDir), { force: true });
}
