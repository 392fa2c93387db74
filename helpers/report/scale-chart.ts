// The scale curve (npm run lab:scale) as one SVG: kube-proxy's rules and its mean sync time against the Services
// added, one line per mode, on log–log axes since both span decades.
import type { ScalePoint } from '../lab/scale.js';
import { esc, logLogPanel, type Series } from './svg.js';

const MODE_COLORS: Record<string, string> = { ipvs: '#3b7dd8', iptables: '#e08a1e', nftables: '#2e9d5b' };

function seriesOf(points: ScalePoint[], value: (p: ScalePoint) => number): Series[] {
  const modes = [...new Set(points.map((p) => p.mode))];
  return modes.map((mode) => ({ name: mode, color: MODE_COLORS[mode] ?? '#555', points: points.filter((p) => p.mode === mode).map((p) => ({ x: p.services, y: value(p) })) }));
}

export function scaleCurveSvg(points: ScalePoint[], note: string): string {
  const rules = logLogPanel('kube-proxy rules (IPv4)', 'rules', seriesOf(points, (p) => p.rules));
  const sync = logLogPanel('mean sync, kube-proxy’s metric', 'milliseconds', seriesOf(points, (p) => p.syncMeanMs), 430);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="860" height="330" font-family="sans-serif"><rect width="100%" height="100%" fill="#fff"/>${rules}${sync}<text x="12" y="322" font-size="11" fill="#555">${esc(note)}</text></svg>\n`;
}

/** The caption under the committed curve and the lab's own (IPVS sync times are UML's, see docs/lab.md). */
export const SCALE_CURVE_NOTE = (date: string) => `npm run lab:scale, ${date}: real kube-proxy v1.34.4, 4 seed Services + N with 3 endpoints each. IPVS ran in UML on one emulated vCPU: its sync times measure UML.`;
