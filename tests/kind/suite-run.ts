// Runs the real conformance suite (`npx playwright test`, playwright.config.ts: the code users run) as a child
// process against real kind clusters from the images bin/build-kind-images made, and reads its JSON report.
// Test-only: the privileged shim goes first in PATH only when this host's Docker refuses --privileged.
import { execa, type ResultPromise } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const KUBE_VERSION = 'v1.34.4';
/** bin/build-kind-images' defaults. */
export const IMAGES = { node: `ipvs-conformance/node:${KUBE_VERSION}`, webpod: 'ipvs-conformance/whoami:v1', netshoot: 'ipvs-conformance/netshoot:bookworm' } as const;
const SHIM = join(ROOT, 'tests', 'support', 'privileged-shim');
const TOOL_DIRS = [join(ROOT, '.cache', 'tools'), join(ROOT, '.cache', 'kube', KUBE_VERSION)];

/** Why these tests cannot run here, or undefined: the images and tools must have been built. */
export async function missingPrerequisite(): Promise<string | undefined> {
  for (const [what, image] of Object.entries(IMAGES)) {
    if ((await execa('docker', ['image', 'inspect', image], { reject: false })).exitCode !== 0) return `no ${what} image ${image} (run bin/build-kind-images)`;
  }
  for (const tool of ['kind', 'kubectl']) if (!TOOL_DIRS.some((d) => existsSync(join(d, tool)))) return `no ${tool} in .cache (run bin/build-kind-images)`;
  return undefined;
}

let privileged: boolean | undefined;
/** Whether this Docker can start --privileged containers (this project's CI host cannot: see the shim). */
export async function dockerAllowsPrivileged(): Promise<boolean> {
  privileged ??= (await execa('docker', ['run', '--rm', '--privileged', '--entrypoint', '/bin/true', IMAGES.netshoot], { reject: false })).exitCode === 0;
  return privileged;
}

/** PATH for kind and kubectl from .cache, behind the shim where --privileged fails. */
export async function toolPath(): Promise<string> {
  return [...((await dockerAllowsPrivileged()) ? [] : [SHIM]), ...TOOL_DIRS, process.env.PATH ?? ''].join(':');
}

export interface SuiteEnv {
  /** A private state directory (the "checkout" identity) and cluster name, so no user's cluster is in reach. */
  stateDir: string;
  clusterName: string;
  extra?: Record<string, string>;
}

export async function suiteEnv(e: SuiteEnv): Promise<Record<string, string>> {
  return {
    PATH: await toolPath(),
    KIND_CLUSTER_NAME: e.clusterName,
    KIND_NODE_IMAGE: IMAGES.node,
    WEBPOD_IMAGE: IMAGES.webpod,
    NETPOD_IMAGE: IMAGES.netshoot,
    MYPC_IMAGE: IMAGES.netshoot,
    IPVS_CONFORMANCE_STATE_DIR: e.stateDir,
    IPVS_CONFORMANCE_REPORT_DIR: join(e.stateDir, 'report'),
    // No user kubeconfig in reach: kind writes only the files the suite names.
    KUBECONFIG: join(e.stateDir, 'must-not-exist.kubeconfig'),
    REQUESTS: '30',
    CI: '',
    ...e.extra,
  };
}

export interface JsonTest {
  title: string;
  project: string;
  status: string;
  errors: string[];
  annotations: { type: string; description?: string }[];
}

export interface SuiteRun {
  exitCode: number | undefined;
  output: string;
  tests: JsonTest[];
}

/** Starts `npx playwright test ARGS` in its own process group, so a SIGKILL reaches the runner and its workers. */
export function startSuite(args: string[], env: Record<string, string>, reportFile: string): ResultPromise<{ all: true; reject: false; detached: true }> {
  // Its own output folder: Playwright empties test-results/ at start, which holds this run's own attachments.
  const output = join(dirname(reportFile), `${basename(reportFile, '.json')}-results`);
  return execa('npx', ['playwright', 'test', '-c', 'playwright.config.ts', '--reporter=line,json', '--output', output, ...args], {
    cwd: ROOT, all: true, reject: false, detached: true, timeout: 30 * 60_000,
    env: { ...env, PLAYWRIGHT_JSON_OUTPUT_FILE: reportFile }, extendEnv: true,
  });
}

export async function runSuite(args: string[], env: Record<string, string>, stateDir: string, name: string): Promise<SuiteRun> {
  await mkdir(stateDir, { recursive: true });
  const reportFile = join(stateDir, `${name}.json`);
  const r = await startSuite(args, env, reportFile);
  return { exitCode: r.exitCode, output: String(r.all), tests: await readReport(reportFile) };
}

interface ReportSuite {
  suites?: ReportSuite[];
  specs?: { title: string; tests: { projectName: string; annotations: JsonTest['annotations']; results: { status: string; errors: { message?: string }[] }[] }[] }[];
}

/** Every test of a JSON report, flattened: its last result's status and errors. */
export async function readReport(file: string): Promise<JsonTest[]> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return [];
  const walk = (s: ReportSuite): JsonTest[] => [
    ...(s.specs ?? []).flatMap((spec) => spec.tests.map((t) => {
      const last = t.results.at(-1);
      return { title: spec.title, project: t.projectName, status: last?.status ?? 'not run', errors: (last?.errors ?? []).map((e) => stripAnsi(e.message ?? '')), annotations: t.annotations };
    })),
    ...(s.suites ?? []).flatMap(walk),
  ];
  return walk(JSON.parse(text) as ReportSuite);
}

function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;]*m/g, '');
}

/** What a kind run may leave on the host: containers, networks and volumes (ids), and kubelet's host sysctls. */
export async function hostInventory(): Promise<Record<string, string[]>> {
  const list = async (args: string[]) => String((await execa('docker', args, { reject: false })).stdout).split('\n').filter(Boolean).sort();
  const sysctls = await Promise.all(['vm/overcommit_memory', 'kernel/panic', 'kernel/panic_on_oops'].map(async (k) => `${k}=${(await readFile(`/proc/sys/${k}`, 'utf8')).trim()}`));
  return {
    containers: await list(['ps', '-a', '--format', '{{.Names}}']),
    networks: await list(['network', 'ls', '--format', '{{.Name}}']),
    volumes: await list(['volume', 'ls', '-q']),
    sysctls,
    libModules: [String(existsSync('/lib/modules'))],
  };
}

export async function kindClusterNames(env: Record<string, string>): Promise<string[]> {
  const r = await execa('kind', ['get', 'clusters'], { reject: false, env, extendEnv: true });
  return String(r.stdout).split('\n').map((l) => l.trim()).filter(Boolean);
}
