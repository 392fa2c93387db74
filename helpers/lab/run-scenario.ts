import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { collectNodeFiles, type NodeAccess } from '../collectors/node.js';
import { runArpProbe, runBalanceProbe } from '../collectors/probes.js';
import { expectedClusterIPs } from '../claims/expected.js';
import type { ClusterJson } from '../snapshot/model.js';
import { writeSnapshot, type NodeFiles } from '../snapshot/write.js';
import { programNode } from './kube-proxy-emulator.js';
import type { LabScenario } from './scenarios.js';
import { labClusterJson, seedTopology } from './topology.js';
import { UmlGuest } from './uml-guest.js';
import { wiringScript, writeWebRoots } from './wiring.js';

/** Requests in the balance probe: strict rr gives exactly a third each (50/50/50). */
export const LAB_REQUESTS = 150;
const BASELINE_NODES = [
  { name: 'base-control-plane', ip: '172.19.0.2' },
  { name: 'base-worker', ip: '172.19.0.3' },
];

export interface ScenarioRun {
  snapshotDir: string;
  /** The same services (or, per scenario, fewer) programmed in iptables mode on two more netns. */
  baselineDir: string;
  /** Raw probe outputs and the programming script, kept as evidence. */
  evidence: Record<string, string>;
}

/**
 * Boots one guest, builds the seed cluster (IPVS mode) and a smaller iptables-mode baseline cluster in it, applies
 * the scenario's violation, then collects both snapshots with the same collectors and probes the kind suite uses.
 */
export async function runScenario(s: LabScenario, dir: string, log: (line: string) => void = () => {}): Promise<ScenarioRun> {
  const workDir = resolve(dir); // the guest's cwd is its own root, so every path it sees must be absolute
  const topo = seedTopology();
  const cluster = labClusterJson(topo.nodes, topo.services, 'ipvs', s.strictARP ?? true);
  const baseline = labClusterJson(BASELINE_NODES, (s.baselineServices ?? ((x) => x))(topo.services), 'iptables', false);
  const wwwDir = join(workDir, 'www');
  await writeWebRoots(topo, wwwDir);
  const program = [
    wiringScript(topo, wwwDir),
    ...topo.nodes.map((n) => programNode(cluster, n.name)),
    ...BASELINE_NODES.flatMap((n) => [`ip netns add ${n.name}`, programNode(baseline, n.name)]),
  ].join('\n');
  const evidence: Record<string, string> = { 'program.sh': program };
  log(`booting UML guest for scenario ${s.name}`);
  const guest = await UmlGuest.boot(join(workDir, 'guest'));
  try {
    await guestScript(guest, 'program the cluster', program);
    if (s.violation) {
      evidence['violation.sh'] = s.violation;
      await guestScript(guest, 'apply the violation', s.violation);
    }
    log('collecting node outputs');
    const snapshotDir = join(workDir, 'snapshot');
    const baselineDir = join(workDir, 'baseline');
    const nodes = await collectAll(topo.nodes.map((n) => labNode(guest, n.name, s.withoutIpvsadm)));
    log('balance probe and ARP probe');
    const traffic = await runBalanceProbe(guest.exec('net-pod'), {
      service: 'default/svc-clusterip', clusterIP: '10.200.1.245', port: 9000, clientPod: 'net-pod', clientNode: 'myk8s-control-plane', requests: LAB_REQUESTS, client: 'bash-tcp',
    });
    const arp = await runArpProbe(guest.exec(topo.mypc.name), topo.mypc.name, arpTargets(cluster, topo.nodes[1]!.ip));
    evidence['arping.txt'] = arp.raw;
    await writeSnapshot(snapshotDir, { cluster, nodes, traffic, arp: arp.probes });
    await writeSnapshot(baselineDir, { cluster: baseline, nodes: await collectAll(BASELINE_NODES.map((n) => labNode(guest, n.name))) });
    await saveEvidence(workDir, evidence);
    return { snapshotDir, baselineDir, evidence };
  } finally {
    await guest.halt();
  }
}

async function guestScript(guest: UmlGuest, what: string, body: string): Promise<void> {
  const r = await guest.script(null, 'set -e\n' + body);
  if (r.exitCode !== 0) throw new Error(`lab: ${what} failed (exit ${r.exitCode}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
}

function arpTargets(cluster: ClusterJson, controlNodeIP: string) {
  return [...[...expectedClusterIPs(cluster).keys()].slice(0, 3).map((target) => ({ target, kind: 'clusterIP' as const })), { target: controlNodeIP, kind: 'node' as const }];
}

/** A lab node: one netns serves both the shell and ipset (on kind, ipset goes through the kube-proxy pod). */
function labNode(guest: UmlGuest, name: string, withoutIpvsadm = false): NodeAccess {
  const shell = guest.exec(name, withoutIpvsadm);
  return { name, shell, ipset: shell };
}

async function collectAll(nodes: NodeAccess[]): Promise<Map<string, NodeFiles>> {
  const out = new Map<string, NodeFiles>();
  for (const n of nodes) out.set(n.name, await collectNodeFiles(n));
  return out;
}

async function saveEvidence(dir: string, files: Record<string, string>): Promise<void> {
  await mkdir(join(dir, 'evidence'), { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, 'evidence', name), text);
}
