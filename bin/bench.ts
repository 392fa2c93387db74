// `npm run bench`: time `evaluate` on synthetic snapshots of 500 and 5,000 services (3 endpoints each) against
// an iptables-mode baseline, and print the ratio. Linear cost means a ratio near 10. A benchmark, not a test.
import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateSnapshot } from '../helpers/cli/evaluate.js';
import { renderAllNodes, syntheticCluster, syntheticServices } from './bench-synthetic.js';
import { writeSnapshot } from '../helpers/snapshot/write.js';

const CLI = join(import.meta.dirname, 'ipvs-conformance');

async function timeEvaluate(services: number, shape: 'clusterIP' | 'loadBalancer' = 'clusterIP'): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), `ipvs-bench-${services}-`));
  try {
    const svcs = syntheticServices(services, 3, shape);
    const ipvs = syntheticCluster(svcs, 'ipvs', 4);
    const base = syntheticCluster(svcs, 'iptables', 2);
    await writeSnapshot(join(dir, 'ipvs'), { cluster: ipvs, nodes: renderAllNodes(ipvs) });
    await writeSnapshot(join(dir, 'base'), { cluster: base, nodes: renderAllNodes(base) });
    const t0 = performance.now();
    const { verdicts } = await evaluateSnapshot(join(dir, 'ipvs'), join(dir, 'base'));
    const ms = performance.now() - t0;
    const failed = verdicts.filter((v) => v.status === 'fail');
    if (failed.length > 0) throw new Error(`synthetic snapshot should conform: ${failed.map((v) => v.message).join('; ')}`);
    const rules = (verdicts.find((v) => v.id === 'fewer-iptables-rules-than-iptables-mode')!.evidence.iptablesMode ?? {}) as Record<string, number>;
    const whole = await timeCli(['evaluate', join(dir, 'ipvs'), '--baseline', join(dir, 'base')]);
    const perNode = shape === 'loadBalancer' ? 3 : 1;
    console.log(`${String(services).padStart(5)} ${shape === 'loadBalancer' ? 'LoadBalancer+NodePort' : 'ClusterIP'} services: ${ms.toFixed(0).padStart(6)} ms in-process, ${whole.toFixed(0).padStart(6)} ms as a process  (4 IPVS nodes × ${services * perNode} virtual servers, ${services * perNode * 3} real servers; baseline ${Object.values(rules)[0]} rules per node)`);
    return ms;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Wall time of one `bin/ipvs-conformance` process, start-up included: what a user or CI job waits for. */
async function timeCli(args: string[]): Promise<number> {
  const t0 = performance.now();
  const r = await execa(CLI, args, { reject: false });
  if (r.exitCode !== 0) throw new Error(`bin/ipvs-conformance ${args[0]} exited ${r.exitCode}: ${r.stderr}`);
  return performance.now() - t0;
}

console.log(`bin/ipvs-conformance --help: ${(await timeCli(['--help'])).toFixed(0)} ms as a process`);
await timeEvaluate(100); // warm-up: JIT and module loading are not part of the cost per service
const small = await timeEvaluate(500);
const large = await timeEvaluate(5000);
console.log(`ratio 5000/500: ${(large / small).toFixed(1)} (10 = linear)`);
await timeEvaluate(5000, 'loadBalancer');
