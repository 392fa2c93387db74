// What every lab cluster shares: named steps, logged as they start and timed for the report, and a start that
// stops whatever it had started when it fails part way.

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
    this.timings.push([`${this.prefix}${name}`, Date.now() - start]);
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
