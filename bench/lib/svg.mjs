// A small grouped bar chart as SVG text: req/s per scenario and connection count, one bar per target.
const COLORS = ['#2b6cb0', '#c05621', '#2f855a', '#6b46c1', '#718096', '#b7791f'];

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * groups: [{ label, bars: [{ target, value }] }]; targets: ordered names for the legend.
 */
export function barChart({ title, subtitle, groups, targets, unit }) {
  const barW = 14;
  const gap = 24;
  const left = 70;
  const top = 60;
  const height = 260;
  const groupW = targets.length * barW + gap;
  const width = left + groups.length * groupW + 20;
  const max = Math.max(1, ...groups.flatMap((g) => g.bars.map((b) => b.value)));
  const step = niceStep(max / 5);
  const yMax = Math.ceil(max / step) * step;
  const y = (v) => top + height - (v / yMax) * height;
  const parts = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${top + height + 90}" font-family="sans-serif" font-size="11" role="img">`,
    `<title>${esc(title)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
    `<text x="${left}" y="38" fill="#555">${esc(subtitle)}</text>`,
  );
  for (let v = 0; v <= yMax; v += step) {
    parts.push(
      `<line x1="${left}" x2="${width - 10}" y1="${y(v)}" y2="${y(v)}" stroke="#e2e8f0"/>`,
      `<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" fill="#555">${v.toLocaleString('en-US')}</text>`,
    );
  }
  parts.push(
    `<text transform="translate(14 ${top + height / 2}) rotate(-90)" text-anchor="middle" fill="#555">${esc(unit)}</text>`,
  );
  groups.forEach((g, gi) => {
    const x0 = left + gi * groupW + gap / 2;
    for (const bar of g.bars) {
      const ti = targets.indexOf(bar.target);
      const x = x0 + ti * barW;
      parts.push(
        `<rect x="${x}" y="${y(bar.value)}" width="${barW - 2}" height="${top + height - y(bar.value)}" fill="${COLORS[ti % COLORS.length]}"><title>${esc(`${bar.target} ${g.label}: ${Math.round(bar.value)}`)}</title></rect>`,
      );
    }
    parts.push(
      `<text x="${x0 + (targets.length * barW) / 2}" y="${top + height + 14}" text-anchor="middle">${esc(g.label)}</text>`,
    );
  });
  targets.forEach((t, ti) => {
    const x = left + ti * 170;
    parts.push(
      `<rect x="${x}" y="${top + height + 40}" width="12" height="12" fill="${COLORS[ti % COLORS.length]}"/>`,
      `<text x="${x + 16}" y="${top + height + 50}">${esc(t)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function niceStep(raw) {
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}
