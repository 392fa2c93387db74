import { execa, type ResultPromise } from 'execa';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HostLink } from './host-net.js';
import { shellQuote, type Exec, type ExecOptions, type ExecResult } from '../exec/exec.js';

/** A UML kernel and the directory holding its lib/modules/<release> trees. */
export interface UmlKernel {
  binary: string;
  modules: string;
}

const INIT = join(import.meta.dirname, 'guest-init.sh');
const BOOT_TIMEOUT_MS = 60_000;
const POLL_MS = 20;
/** Set up by guest-init.sh: iptables* → legacy, then /usr/sbin without ipvsadm. */
const KIND_PATH = '/run/lab/bin:/run/lab/kind-sbin:/usr/bin:/bin';

/**
 * A User-Mode Linux guest: a real Linux kernel with IPVS, running as a host process, whose root is the host's
 * filesystem (hostfs). Commands reach it through a spool directory (see guest-init.sh).
 */
export class UmlGuest {
  private seq = 0;

  private constructor(
    readonly workDir: string,
    private readonly spool: string,
    private readonly proc: ResultPromise,
    private readonly exited: () => boolean,
    readonly kernelRelease: string,
  ) {}

  /**
   * `uplink`: a host tap device the guest's vec0 uses to reach the host (see guest-init.sh). `kernel`: the lab's
   * own kernel (bin/build-uml-kernel) instead of Debian's linux.uml.
   */
  static async boot(workDir: string, opts: { memMb?: number; uplink?: HostLink; kernel?: UmlKernel } = {}): Promise<UmlGuest> {
    const { memMb = 1024, uplink, kernel } = opts;
    const dir = resolve(workDir);
    const spool = join(dir, 'spool');
    await rm(dir, { recursive: true, force: true });
    await mkdir(spool, { recursive: true });
    const log = createWriteStream(join(dir, 'console.log'));
    const args = [`mem=${memMb}M`, 'root=/dev/root', 'rootfstype=hostfs', 'rootflags=/', 'rw', `init=${INIT}`, 'con=null', 'con0=null,fd:1', `lab.spool=${spool}`];
    if (uplink) args.push(`vec0:transport=tap,ifname=${uplink.name}`, `lab.uplink=${uplink.peerIP}/30,${uplink.hostIP}`);
    if (kernel) args.push(`lab.modules=${kernel.modules}`);
    // UML needs no stdin; a detached stdin keeps it working in CI, where there is none.
    const proc = execa(kernel?.binary ?? 'linux.uml', args, { stdin: 'ignore', reject: false, buffer: false });
    proc.stdout?.pipe(log);
    proc.stderr?.pipe(log);
    // Watched once for the guest's lifetime, so every wait can fail fast if the kernel dies.
    let done = false;
    void proc.then(() => (done = true));
    const exited = () => done;
    const release = await waitForFile(join(spool, 'ready'), BOOT_TIMEOUT_MS, exited).catch(async (e: unknown) => {
      proc.kill('SIGKILL');
      const tail = (await readFile(join(dir, 'console.log'), 'utf8').catch(() => '')).split('\n').slice(-15).join('\n');
      throw new Error(`UML guest did not boot: ${(e as Error).message}\n${tail}`);
    });
    return new UmlGuest(dir, spool, proc, exited, release.trim());
  }

  /** Runs a bash script in a network namespace (`null` = the guest's root netns). */
  async script(netns: string | null, body: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const id = join(this.spool, String(++this.seq).padStart(5, '0'));
    await writeFile(`${id}.sh`, body);
    // Renamed into place: the guest polls for *.req and must never read one half written (an empty netns name).
    await writeFile(`${id}.req.tmp`, `${netns ?? '-'}\n`);
    await rename(`${id}.req.tmp`, `${id}.req`);
    const rc = await waitForFile(`${id}.rc`, opts.timeoutMs ?? 120_000, this.exited);
    const [stdout, stderr] = await Promise.all([readFile(`${id}.out`, 'utf8'), readFile(`${id}.err`, 'utf8')]);
    return { stdout, stderr, exitCode: Number(rc.trim()) };
  }

  /** Several commands in ONE request: each writes its own out/err/rc files, read back in order. */
  async batch(netns: string | null, commands: string[][], opts: ExecOptions = {}, prelude = ''): Promise<ExecResult[]> {
    const dir = join(this.spool, `batch-${++this.seq}`);
    await mkdir(dir);
    const body = commands.map((argv, i) => `${shellQuote(argv)} > ${dir}/${i}.out 2> ${dir}/${i}.err; echo $? > ${dir}/${i}.rc`).join('\n');
    const r = await this.script(netns, prelude + body + '\n', opts);
    if (r.exitCode !== 0) throw new Error(`lab batch in ${netns ?? 'root'} netns failed: ${r.stderr.trim()}`);
    return Promise.all(
      commands.map(async (_, i) => {
        const [stdout, stderr, rc] = await Promise.all(['out', 'err', 'rc'].map((ext) => readFile(join(dir, `${i}.${ext}`), 'utf8')));
        return { stdout: stdout!, stderr: stderr!, exitCode: Number(rc!.trim()) };
      }),
    );
  }

  /**
   * The node-exec backend for one lab netns: the same interface as `docker exec` on a kind node.
   * `kindPath` runs commands with the guest's kind-like PATH, on which ipvsadm does not exist.
   */
  exec(netns: string | null, kindPath = false): Exec {
    const prelude = kindPath ? `export PATH=${KIND_PATH}\n` : '';
    return {
      label: `lab ${netns ?? 'root'} netns${kindPath ? ' (no ipvsadm)' : ''}`,
      run: (argv, opts) => this.script(netns, prelude + shellQuote(argv) + '\n', opts),
      runAll: (commands, opts) => this.batch(netns, commands, opts, prelude),
    };
  }

  async halt(): Promise<void> {
    await writeFile(join(this.spool, 'halt'), '');
    const stopped = await Promise.race([this.proc.then(() => true), sleep(15_000).then(() => false)]);
    if (!stopped) this.proc.kill('SIGKILL');
    await this.proc;
  }
}

/** Waits until a file exists with content; fails early if the guest process has exited. */
async function waitForFile(path: string, timeoutMs: number, exited: () => boolean): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const text = await readFile(path, 'utf8').catch(() => '');
    if (text.trim() !== '') return text;
    if (exited()) throw new Error(`the guest exited before ${path} appeared`);
    await sleep(POLL_MS);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${path}`);
}
