/**
 * The chart: one bar per (workload, peer, measure) with Gatehouse's median ratio to the peer,
 * a whisker from the lowest to the highest round, and the goal's bound as a tick. Plain SVG, no
 * dependencies, written next to docs/benchmarks.md.
 */

export interface Bar {
  readonly label: string;
  readonly min: number;
  readonly median: number;
  readonly max: number;
  /** The goal's bound, if the pair has one. */
  readonly bound: number | null;
  /** null: no goal; otherwise whether the goal is met. */
  readonly pass: boolean | null;
}

const esc = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function renderChart(title: string, bars: readonly Bar[]): string {
  const rowH = 22;
  const labelW = 360;
  const plotW = 420;
  const top = 40;
  const height = top + bars.length * rowH + 40;
  const width = labelW + plotW + 90;
  const finite = bars.flatMap((b) => [b.max, b.bound ?? 0]).filter(Number.isFinite);
  const scaleMax = Math.max(1.5, ...finite) * 1.05;
  const x = (v: number) => labelW + (Math.max(0, Math.min(v, scaleMax)) / scaleMax) * plotW;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="22" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  for (const tick of [0, 0.5, 1, 1.5, 2, 3, 4, 6, 8, 12, 16].filter((t) => t <= scaleMax)) {
    parts.push(
      `<line x1="${x(tick)}" y1="${top - 6}" x2="${x(tick)}" y2="${height - 30}" stroke="${tick === 1 ? "#555" : "#ddd"}"/>`,
      `<text x="${x(tick)}" y="${height - 16}" text-anchor="middle" fill="#555">${tick}x</text>`,
    );
  }
  bars.forEach((b, i) => {
    const y = top + i * rowH;
    const color = b.pass === null ? "#8aa4c8" : b.pass ? "#4c9a5a" : "#c8553d";
    parts.push(`<text x="${labelW - 8}" y="${y + 14}" text-anchor="end">${esc(b.label)}</text>`);
    if (Number.isFinite(b.median)) {
      parts.push(
        `<rect x="${labelW}" y="${y + 4}" width="${x(b.median) - labelW}" height="${rowH - 8}" fill="${color}"/>`,
        `<line x1="${x(b.min)}" y1="${y + rowH / 2}" x2="${x(b.max)}" y2="${y + rowH / 2}" stroke="black"/>`,
        `<text x="${x(Math.max(b.max, b.median)) + 6}" y="${y + 14}">${b.median.toFixed(2)}x</text>`,
      );
    }
    if (b.bound !== null) {
      parts.push(
        `<line x1="${x(b.bound)}" y1="${y + 1}" x2="${x(b.bound)}" y2="${y + rowH - 1}" stroke="black" stroke-width="3"/>`,
      );
    }
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
