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

/** Label naming the checkout (state directory) whose run started a container, so its next run can sweep it. */
export const CHECKOUT_LABEL = 'ipvs-conformance/checkout';

export async function startMypc(image: string, network = 'kind', runId = 'adhoc', checkout = 'adhoc'): Promise<Mypc> {
  // Ryuk (the reaper) needs its own image from a registry; we remove our containers ourselves instead.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  const container = await new GenericContainer(image)
    .withNetworkMode(network)
    .withCommand(['sleep', 'infinity'])
    .withAddedCapabilities('NET_RAW', 'NET_ADMIN')
    .withLabels({ [PART_OF_LABEL]: PART_OF, [RUN_LABEL]: runId, [CHECKOUT_LABEL]: checkout })
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
  return removeLabelled([`label=${PART_OF_LABEL}=${PART_OF}`, `label=${RUN_LABEL}=${runId}`], () => true);
}

/** Removes what earlier runs of this checkout left (a killed run never stopped its mypc); other checkouts' stay. */
export async function sweepLeftoverContainers(checkout: string, currentRun: string): Promise<number> {
  return removeLabelled([`label=${PART_OF_LABEL}=${PART_OF}`, `label=${CHECKOUT_LABEL}=${checkout}`], (run) => run !== currentRun);
}

async function removeLabelled(labels: string[], pick: (run: string) => boolean): Promise<number> {
  const filters = labels.flatMap((l) => ['--filter', l]);
  const r = await execa('docker', ['ps', '-a', ...filters, '--format', `{{.ID}}\t{{.Label "${RUN_LABEL}"}}`], { reject: false });
  const ids = String(r.stdout).split('\n').filter(Boolean).map((l) => l.split('\t')).filter(([, run]) => pick(run ?? '')).map(([id]) => id!);
  if (ids.length > 0) await execa('docker', ['rm', '-f', ...ids], { reject: false });
  return ids.length;
}
