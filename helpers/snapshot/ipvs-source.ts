// Which IPVS table a node's snapshot is judged by. /proc/net/ip_vs can be cut: on kernels whose service table is
// shared by all network namespaces (one global ip_vs_svc_table, as before the per-netns tables), the seq_file's
// ip_vs_info_seq_next() walks every netns's services and advances *pos for each of them, while
// ip_vs_info_seq_start() resumes a later read() with ip_vs_info_array(pos - 1), which counts this netns's services
// only (net/netfilter/ipvs/ip_vs_ctl.c). Each read() returns one page-sized buffer (4096 bytes), so once the
// table outgrows one page and other netns hold services too (kind nodes on one Docker host, the lab's node netns
// in one kernel), the second read() resumes too far on and services are skipped or the file ends early.
// `ipvsadm -Ln` dumps by netlink, where ip_vs_genl_dump_services() counts every netns's entries both ways: whole.
import { ipvsConfigLines, type VirtualServer } from '../parsers/ipvs-table.js';
import { InputError } from './input-error.js';

/** The seq_file buffer a single read() of /proc/net/ip_vs fills at most. */
export const SEQ_FILE_PAGE = 4096;
/** A /proc text within this many bytes of a page may have stopped short of the next record: no longer trusted alone. */
export const PAGE_MARGIN = 512;

export interface IpvsSource {
  file: string;
  text: string;
  table: VirtualServer[];
}

export interface IpvsChoice {
  ipvs: VirtualServer[];
  ipvsFile?: string;
  /** Why the /proc view was not used, when both were read and disagree. */
  ipvsNote?: string;
}

/** ipvsadm's netlink view when there is one; /proc alone only when it cannot have been cut. */
export function chooseIpvsTable(proc?: IpvsSource, ipvsadm?: IpvsSource): IpvsChoice {
  if (ipvsadm) return { ipvs: ipvsadm.table, ipvsFile: ipvsadm.file, ...(proc && disagreement(proc, ipvsadm)) };
  if (!proc) return { ipvs: [] };
  const bytes = Buffer.byteLength(proc.text);
  if (bytes > SEQ_FILE_PAGE - PAGE_MARGIN) {
    throw new InputError(
      `${proc.file}: ${bytes} bytes, within ${PAGE_MARGIN} of one ${SEQ_FILE_PAGE}-byte read or over it, and no ipvsadm.txt beside it: ` +
        'the kernel may have cut this table (a global IPVS service table shared by network namespaces); collect `ipvsadm -Ln` (netlink) on this node',
    );
  }
  return { ipvs: proc.table, ipvsFile: proc.file };
}

function disagreement(proc: IpvsSource, ipvsadm: IpvsSource): Pick<IpvsChoice, 'ipvsNote'> {
  const whole = new Set(ipvsConfigLines(ipvsadm.table));
  const seen = ipvsConfigLines(proc.table);
  if (seen.length === whole.size && seen.every((l) => whole.has(l))) return {};
  const cut = proc.table.length < ipvsadm.table.length;
  return {
    ipvsNote: `${proc.file} lists ${proc.table.length} of the ${ipvsadm.table.length} virtual servers ipvsadm -Ln (netlink) listed` +
      `${cut ? ` (${Buffer.byteLength(proc.text)} bytes: cut by the kernel)` : ' (changed between the two reads)'}; judged by ipvsadm`,
  };
}
