// Small, dependency-free SVG bar charts for the HTML report (image/* attachments render inline there).

export interface Bar {
  label: string;
  value: number;
  /** Fill colour; the default blue. */
  color?: string;
}

export const esc = (s: string) => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

export function barChart(title: string, bars: Bar[], note = ''): string {
  const width = 640;
  const rowH = 34;
  const left = 190;
  const top = 44;
  const height = top + bars.length * rowH + (note ? 40 : 16);
  const max = Math.max(1, ...bars.map((b) => b.value));
  const rows = bars.map((b, i) => {
    const y = top + i * rowH;
    const w = Math.round(((width - left - 70) * b.value) / max);
    return [
      `<text x="${left - 10}" y="${y + 20}" text-anchor="end" font-size="14">${esc(b.label)}</text>`,
      `<rect x="${left}" y="${y + 4}" width="${w}" height="${rowH - 10}" fill="${b.color ?? '#3b7dd8'}"/>`,
      `<text x="${left + w + 6}" y="${y + 20}" font-size="14">${b.value}</text>`,
    ].join('');
  });
  const foot = note ? `<text x="12" y="${height - 14}" font-size="12" fill="#555">${esc(note)}</text>` : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif"><rect width="100%" height="100%" fill="#fff"/><text x="12" y="26" font-size="16" font-weight="bold">${esc(title)}</text>${rows.join('')}${foot}</svg>`;
}

export interface Series {
  name: string;
  color: string;
  points: { x: number; y: number }[];
}

/** A log–log line chart panel (for values spanning decades), placed at (x0, y0) inside a larger SVG. */
export function logLogPanel(title: string, yLabel: string, series: Series[], x0 = 0, y0 = 0): string {
  const [w, h, left, top, bottom] = [420, 300, 64, 36, 44];
  const all = series.flatMap((s) => s.points).filter((p) => p.x > 0 && p.y > 0);
  const decades = (vals: number[]) => [Math.floor(Math.log10(Math.min(...vals))), Math.ceil(Math.log10(Math.max(...vals)))] as const;
  const [xLo, xHi] = decades(all.map((p) => p.x));
  const [yLo, yHi] = decades(all.map((p) => p.y));
  const px = (x: number) => x0 + left + ((Math.log10(x) - xLo) / Math.max(1, xHi - xLo)) * (w - left - 16);
  const py = (y: number) => y0 + h - bottom - ((Math.log10(y) - yLo) / Math.max(1, yHi - yLo)) * (h - top - bottom);
  const grid: string[] = [];
  for (let d = xLo; d <= xHi; d++) grid.push(`<line x1="${px(10 ** d)}" y1="${py(10 ** yLo)}" x2="${px(10 ** d)}" y2="${py(10 ** yHi)}" stroke="#ddd"/><text x="${px(10 ** d)}" y="${py(10 ** yLo) + 16}" text-anchor="middle" font-size="11">${(10 ** d).toLocaleString('en')}</text>`);
  for (let d = yLo; d <= yHi; d++) grid.push(`<line x1="${px(10 ** xLo)}" y1="${py(10 ** d)}" x2="${px(10 ** xHi)}" y2="${py(10 ** d)}" stroke="#ddd"/><text x="${px(10 ** xLo) - 6}" y="${py(10 ** d) + 4}" text-anchor="end" font-size="11">${(10 ** d).toLocaleString('en')}</text>`);
  const lines = series.map((s, i) => {
    const pts = s.points.filter((p) => p.x > 0 && p.y > 0);
    const path = pts.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ');
    const dots = pts.map((p) => `<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3.5" fill="${s.color}"><title>${esc(`${s.name}: ${p.y} at ${p.x}`)}</title></circle>`).join('');
    const key = `<rect x="${x0 + left + 8}" y="${y0 + top + 6 + i * 16}" width="10" height="10" fill="${s.color}"/><text x="${x0 + left + 22}" y="${y0 + top + 15 + i * 16}" font-size="12">${esc(s.name)}</text>`;
    return `<polyline points="${path}" fill="none" stroke="${s.color}" stroke-width="2"/>${dots}${key}`;
  });
  const labels = `<text x="${x0 + 12}" y="${y0 + 22}" font-size="14" font-weight="bold">${esc(title)}</text><text x="${x0 + w / 2}" y="${y0 + h - 8}" text-anchor="middle" font-size="12">Services added</text><text x="${x0 + 14}" y="${y0 + h / 2}" font-size="12" transform="rotate(-90 ${x0 + 14} ${y0 + h / 2})" text-anchor="middle">${esc(yLabel)}</text>`;
  return `${grid.join('')}${lines.join('')}${labels}`;
}
