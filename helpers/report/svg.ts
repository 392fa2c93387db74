// Small, dependency-free SVG bar charts for the HTML report (image/* attachments render inline there).

export interface Bar {
  label: string;
  value: number;
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
      `<rect x="${left}" y="${y + 4}" width="${w}" height="${rowH - 10}" fill="#3b7dd8"/>`,
      `<text x="${left + w + 6}" y="${y + 20}" font-size="14">${b.value}</text>`,
    ].join('');
  });
  const foot = note ? `<text x="12" y="${height - 14}" font-size="12" fill="#555">${esc(note)}</text>` : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif"><rect width="100%" height="100%" fill="#fff"/><text x="12" y="26" font-size="16" font-weight="bold">${esc(title)}</text>${rows.join('')}${foot}</svg>`;
}
