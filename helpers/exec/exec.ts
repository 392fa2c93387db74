// The node-exec interface. Collectors and probes only know this; backends decide how a command reaches a
// kind node (docker exec), a kube-proxy pod (kubectl exec), a pod or container, or a lab netns (UML guest).

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface ExecOptions {
  timeoutMs?: number;
}

export interface Exec {
  /** Human-readable target, used in error messages and evidence, e.g. `docker exec myk8s-worker`. */
  readonly label: string;
  run(argv: string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Optional: several commands in one round trip, for backends where a round trip is the expensive part. */
  runAll?(commands: string[][], opts?: ExecOptions): Promise<ExecResult[]>;
}

/** Runs commands through the backend's batch path when it has one, else one by one; results keep their order. */
export async function runEach(exec: Exec, commands: string[][], opts?: ExecOptions): Promise<ExecResult[]> {
  if (exec.runAll) return exec.runAll(commands, opts);
  const results: ExecResult[] = [];
  for (const argv of commands) results.push(await exec.run(argv, opts));
  return results;
}

/** A command failed where the caller needed it to succeed. The message names target, command and stderr. */
export class ExecError extends Error {
  constructor(
    readonly exec: string,
    readonly argv: string[],
    readonly result: ExecResult,
  ) {
    const err = result.stderr.trim().split('\n').slice(-2).join(' | ') || '(no stderr)';
    const cmd = argv.join(' ').replace(/\s+/g, ' ');
    super(`${exec}: \`${cmd.length > 100 ? cmd.slice(0, 100) + '…' : cmd}\` exited ${result.exitCode}: ${err}`);
    this.name = 'ExecError';
  }
}

/** Runs and demands exit 0. */
export async function runOk(exec: Exec, argv: string[], opts?: ExecOptions): Promise<string> {
  const r = await exec.run(argv, opts);
  if (r.exitCode !== 0) throw new ExecError(exec.label, argv, r);
  return r.stdout;
}

/** Exit 126/127 or a runtime's "executable file not found": the tool is not installed there. */
export function isCommandMissing(r: ExecResult): boolean {
  return r.exitCode === 127 || r.exitCode === 126 || /executable file not found|command not found|not found in \$PATH/i.test(r.stderr);
}

/** Quotes argv for a POSIX shell, for backends that carry a command as one shell string. */
export function shellQuote(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
