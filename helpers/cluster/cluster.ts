// The one interface every cluster is observed through: the lab's UML guest, the host-netns clusters, kind
// clusters (docker exec) and any cluster reached through a kubeconfig alone (node agents). Collection
// (collect.ts) knows only this, so one path writes every snapshot.
import type { NodeAccess } from '../collectors/node.js';
import type { Exec } from '../exec/exec.js';
import type { K8s } from './k8s.js';

export interface Cluster {
  /** Who it is, in progress lines and evidence, e.g. `kind-myk8s (docker exec)`. */
  readonly label: string;
  /** The API, through an explicit kubeconfig and context. */
  readonly k8s: K8s;
  /** How each node's outputs are read, one entry per node. */
  nodes(): Promise<NodeAccess[]>;
  /** A shell where a probe runs: a node, a pod of the workload, or a host outside the cluster, by name. */
  exec(name: string): Exec;
  /** Log texts by file name (kube-proxy's, the control plane's), for the report. */
  logs(): Promise<Record<string, string>>;
}

/** Node access where one shell per node runs every command, ipset included (the lab's netns, a node agent). */
export function oneShellPerNode(names: string[], shell: (node: string) => Exec): NodeAccess[] {
  return names.map((name) => ({ name, shell: shell(name), ipset: shell(name) }));
}
