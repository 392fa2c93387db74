// "mypc": an outside host on the kind Docker network, like the seed's `docker run --network kind
// nicolaka/netshoot`, with NET_RAW so it can arping. Started with testcontainers; always labelled so teardown
// can sweep it even after a crash.
import { execa } from 'execa';
import { GenericContainer, type StartedTestContainer } from 'testcontainers';
import type { Exec } from '../exec/exec.js';
import { RUN_LABEL } from './state.js';

export const PART_OF_LABEL = 'app.kubernetes.io/part-of';
export const PART_OF = 'ipvs-conformance';

export interface Mypc {
  exec: Exec;
  ip: string;
  container: StartedTestContainer;
  stop(): Promise<void>;
}

export async function startMypc(image: string, network = 'kind', runId = 'adhoc'): Promise<Mypc> {
  // Ryuk (the reaper) needs its own image from a registry; we remove our containers ourselves instead.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  const container = await new GenericContainer(image)
    .withNetworkMode(network)
    .withCommand(['sleep', 'infinity'])
    .withAddedCapabilities('NET_RAW', 'NET_ADMIN')
    .withLabels({ [PART_OF_LABEL]: PART_OF, [RUN_LABEL]: runId })
    .withStartupTimeout(60_000)
    .start();
  return {
    container,
    ip: container.getIpAddress(network),
    exec: containerExec(container),
    stop: () => container.stop({ timeout: 1 }).then(() => undefined),
  };
}

/** The node-exec interface over a testcontainers container (exec never throws on a non-zero exit). */
export function containerExec(container: StartedTestContainer): Exec {
  return {
    label: `container ${container.getName().replace(/^\//, '')}`,
    async run(argv) {
      const r = await container.exec(argv);
      return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
    },
  };
}

/** Removes the containers one run labelled (only that run's: other runs may be going on at the same time). */
export async function sweepRunContainers(runId: string): Promise<number> {
  const filters = ['--filter', `label=${PART_OF_LABEL}=${PART_OF}`, '--filter', `label=${RUN_LABEL}=${runId}`];
  const ids = String((await execa('docker', ['ps', '-aq', ...filters], { reject: false })).stdout).split('\n').filter(Boolean);
  if (ids.length > 0) await execa('docker', ['rm', '-f', ...ids], { reject: false });
  return ids.length;
}
