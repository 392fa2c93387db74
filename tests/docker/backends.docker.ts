// The kind suite's docker-facing code against a real Docker engine: `docker exec` node access, missing-tool
// detection, the post-creation IPVS preflight, and the testcontainers "mypc" on a Docker network named kind.
import { execa } from 'execa';
import { isCommandMissing } from '../../helpers/exec/exec.js';
import { dockerExec } from '../../helpers/exec/process-exec.js';
import { runArpProbe } from '../../helpers/collectors/probes.js';
import { PART_OF, PART_OF_LABEL, startMypc, sweepRunContainers } from '../../helpers/kind/mypc.js';
import { RUN_LABEL } from '../../helpers/kind/state.js';
import { checkHostPorts, checkNodeHasIpvs, PreflightError } from '../../helpers/kind/preflight.js';
import { KIND_CONFIGS, nodeDockerNetwork } from '../../helpers/kind/lifecycle.js';
import { readFile } from 'node:fs/promises';
import { parseSysctl } from '../../helpers/parsers/sysctl.js';
import { expect, test } from './docker-fixture.js';
import { STANDIN_IMAGE } from './standin.js';

const suffix = () => Math.random().toString(36).slice(2, 8);
/** This file's own run label: its sweep must not remove containers of any other run. */
const RUN = `docker-test-${suffix()}`;

async function runNode(name: string, network?: string, publish: string[] = []): Promise<void> {
  const ports = publish.flatMap((p) => ['-p', p]);
  await execa('docker', ['run', '-d', '--name', name, '--label', `${PART_OF_LABEL}=${PART_OF}`, '--label', `${RUN_LABEL}=${RUN}`, ...(network ? ['--network', network] : []), ...ports, STANDIN_IMAGE, 'sleep', '600']);
}

test.afterAll(async () => {
  await sweepRunContainers(RUN);
});

test('docker exec backend: stdout, exit status, missing tools and sysctl on a real container', async () => {
  const name = `standin-node-${suffix()}`;
  await runNode(name);
  const node = dockerExec(name);
  const r = await node.run(['sh', '-c', 'echo out; echo err >&2; exit 3']);
  expect(r).toEqual({ stdout: 'out\n', stderr: 'err\n', exitCode: 3 });
  // The kind node image has no ipvsadm: the collector must see "missing", not a failure.
  expect(isCommandMissing(await node.run(['ipvsadm', '-Ln']))).toBe(true);
  const sysctl = await node.run(['sysctl', 'net.ipv4.conf.all.arp_ignore', 'net.ipv4.conf.all.arp_announce']);
  expect(sysctl.exitCode).toBe(0);
  expect([...parseSysctl(sysctl.stdout).keys()]).toEqual(['net.ipv4.conf.all.arp_ignore', 'net.ipv4.conf.all.arp_announce']);
});

test('post-creation preflight names the IPVS modules when a node has no /proc/net/ip_vs', async () => {
  const name = `standin-node-${suffix()}`;
  await runNode(name);
  const hasIpvs = (await dockerExec(name).run(['test', '-e', '/proc/net/ip_vs'])).exitCode === 0;
  test.skip(hasIpvs, 'this Docker host has IPVS loaded, so the negative case cannot be shown here');
  const err = await checkNodeHasIpvs(name, dockerExec(name)).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(PreflightError);
  expect((err as Error).message).toMatch(/no IPVS .*sudo modprobe -a ip_vs ip_vs_rr ip_vs_wrr ip_vs_sh nf_conntrack/);
  expect((err as Error).stack).toBe(`PreflightError: ${(err as Error).message}`);
});

test('mypc (testcontainers) on a Docker network named kind gets ARP replies from a node, none for an unbound IP', async () => {
  const created = (await execa('docker', ['network', 'inspect', 'kind'], { reject: false })).exitCode !== 0;
  if (created) await execa('docker', ['network', 'create', '--subnet', '172.18.0.0/16', '--label', `${PART_OF_LABEL}=${PART_OF}`, 'kind']);
  try {
    const node = `standin-node-${suffix()}`;
    await runNode(node, 'kind');
    const nodeIP = String((await execa('docker', ['inspect', '-f', '{{(index .NetworkSettings.Networks "kind").IPAddress}}', node])).stdout).trim();
    const mypc = await startMypc(STANDIN_IMAGE, 'kind', RUN);
    try {
      expect(mypc.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      const { probes, raw } = await runArpProbe(mypc.exec, 'mypc', [
        { target: nodeIP, kind: 'node' },
        { target: '172.18.255.254', kind: 'clusterIP' },
      ]);
      test.info().annotations.push({ type: 'arping', description: raw.replace(/\n/g, ' | ') });
      expect(probes.find((p) => p.kind === 'node')!.replies).toBeGreaterThan(0);
      expect(probes.find((p) => p.kind === 'clusterIP')!.replies).toBe(0);
    } finally {
      await mypc.stop();
    }
  } finally {
    await sweepRunContainers(RUN);
    // Remove the network only if this test made it: a user's real kind network is never touched.
    if (created) await execa('docker', ['network', 'rm', 'kind'], { reject: false });
  }
});

test('mypc’s network is read from a node container, whatever KIND_EXPERIMENTAL_DOCKER_NETWORK named it', async () => {
  const network = `ipvs-conformance-test-${suffix()}`;
  await execa('docker', ['network', 'create', '--label', `${PART_OF_LABEL}=${PART_OF}`, network]);
  try {
    const node = `standin-node-${suffix()}`;
    await runNode(node, network);
    expect(await nodeDockerNetwork(node)).toBe(network);
  } finally {
    await sweepRunContainers(RUN);
    await execa('docker', ['network', 'rm', network], { reject: false });
  }
});

test('a host port the kind config maps is reported with the container that holds it, before kind create', async () => {
  const holder = `standin-other-cluster-${suffix()}`;
  await runNode(holder, undefined, ['127.0.0.1:30003:80']);
  try {
    const config = await readFile(KIND_CONFIGS.ipvs, 'utf8');
    const err = await checkHostPorts(config).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PreflightError);
    expect((err as Error).message).toContain(`30003 (held by ${holder})`);
    expect((err as Error).message).not.toContain('30002');
  } finally {
    await sweepRunContainers(RUN);
  }
});
