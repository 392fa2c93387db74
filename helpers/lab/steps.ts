// What every lab cluster shares: named steps, logged as they start and timed for the report, and a start that
// stops whatever it had started when it fails part way.

const LONG_STEP_MS = 10_000;

export class Steps {
  /** Milliseconds per step, in order. */
  readonly timings: [step: string, ms: number][] = [];

  constructor(
    private readonly log?: (line: string) => void,
    private readonly prefix = '',
  ) {}

  async run<T>(name: string, body: () => Promise<T>): Promise<T> {
    const start = Date.now();
    this.log?.(`${this.prefix}${name}`);
    const out = await body();
    const ms = Date.now() - start;
    this.timings.push([`${this.prefix}${name}`, ms]);
    // Long steps also say when they end, so a watcher sees progress rather than silence.
    if (ms >= LONG_STEP_MS) this.log?.(`${this.prefix}${name}: done in ${(ms / 1000).toFixed(1)} s`);
    return out;
  }
}

export async function startOrStop<T extends { down(): Promise<void> }>(cluster: T, start: (c: T) => Promise<void>): Promise<T> {
  try {
    await start(cluster);
    return cluster;
  } catch (e) {
    await cluster.down();
    throw e;
  }
}
