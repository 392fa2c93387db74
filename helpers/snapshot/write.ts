import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NODE_FILES, type ArpProbe, type ClusterJson, type NodeFileKey, type ProbeResult, type TrafficJson } from './model.js';

export type NodeFiles = Partial<Record<NodeFileKey, string>>;

export interface SnapshotContent {
  cluster: ClusterJson;
  nodes: Map<string, NodeFiles>;
  traffic?: TrafficJson;
  arp?: ArpProbe[];
  probes?: ProbeResult[];
}

/** Writes a snapshot directory in the layout of its cluster.json's formatVersion. Raw outputs are written byte for byte. */
export async function writeSnapshot(dir: string, content: SnapshotContent): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeJson(join(dir, 'cluster.json'), content.cluster);
  if (content.traffic) await writeJson(join(dir, 'traffic.json'), content.traffic);
  if (content.arp) await writeJson(join(dir, 'arp.json'), content.arp);
  if (content.probes) await writeJson(join(dir, 'probes.json'), content.probes);
  for (const [node, files] of content.nodes) {
    const nodeDir = join(dir, 'nodes', node);
    await mkdir(nodeDir, { recursive: true });
    for (const [key, text] of Object.entries(files) as [NodeFileKey, string][]) {
      await writeFile(join(nodeDir, NODE_FILES[key]), text);
    }
  }
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFile(file, JSON.stringify(value, null, 2) + '\n');
}
