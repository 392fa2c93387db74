import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NODE_FILES, type ArpProbe, type ClusterJson, type NodeFileKey, type ProbeResult, type StreamsJson, type TrafficJson } from './model.js';

export type NodeFiles = Partial<Record<NodeFileKey, string>>;

export interface SnapshotContent {
  cluster: ClusterJson;
  nodes: Map<string, NodeFiles>;
  traffic?: TrafficJson;
  arp?: ArpProbe[];
  probes?: ProbeResult[];
  streams?: StreamsJson;
}

/** Writes a snapshot directory in the layout of its cluster.json's formatVersion. Raw outputs are written byte for byte. */
/**
 * Writes a snapshot. Written again into the same directory (a convergence loop, a second collect), a format file
 * this snapshot lacks is removed, so no earlier snapshot's file (an ipvsadm.txt, a traffic.json) is read as its.
 */
export async function writeSnapshot(dir: string, content: SnapshotContent): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeJson(join(dir, 'cluster.json'), content.cluster);
  for (const key of ['traffic', 'arp', 'probes', 'streams'] as const) {
    const file = join(dir, `${key}.json`);
    await (content[key] ? writeJson(file, content[key]) : rm(file, { force: true }));
  }
  for (const [node, files] of content.nodes) {
    const nodeDir = join(dir, 'nodes', node);
    await mkdir(nodeDir, { recursive: true });
    for (const key of Object.keys(NODE_FILES) as NodeFileKey[]) {
      const text = files[key];
      await (text === undefined ? rm(join(nodeDir, NODE_FILES[key]), { force: true }) : writeFile(join(nodeDir, NODE_FILES[key]), text));
    }
  }
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFile(file, JSON.stringify(value, null, 2) + '\n');
}

/** Adds streams.json to a snapshot already written: the streams end after the snapshot of their last stage. */
export function writeStreamsJson(dir: string, streams: StreamsJson): Promise<void> {
  return writeJson(join(dir, 'streams.json'), streams);
}
