/** A dependency-free SVG grouped horizontal bar chart, drawn by the benchmarks for the docs. */

export interface BarChart {
  readonly title: string
  /** Appended to every value label, e.g. `%` or `B`. */
  readonly unit: string
  /** Names of the bars inside each group, in order (the legend). */
  readonly series: readonly string[]
  /** One group per row label; `values[i]` belongs to `series[i]`. */
  readonly groups: readonly { readonly label: string; readonly values: readonly number[] }[]
  /** An optional vertical reference line. */
  readonly reference?: { readonly label: string; readonly value: number }
}

const COLORS = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#9d755d']
const BAR = 11
const GROUP_GAP = 8
const LABEL_WIDTH = 190
const PLOT_WIDTH = 520
const TOP = 48

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** Renders `chart` as a standalone SVG document. */
export function barChartSvg(chart: BarChart): string {
  const { series, groups } = chart
  const largest = Math.max(
    chart.reference?.value ?? 0,
    ...groups.flatMap((group) => group.values.filter(Number.isFinite)),
  )
  const scale = largest > 0 ? PLOT_WIDTH / largest : 0
  const groupHeight = series.length * BAR + GROUP_GAP
  const height = TOP + groups.length * groupHeight + 24
  const width = LABEL_WIDTH + PLOT_WIDTH + 70
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="10">`,
    `<title>${escapeXml(chart.title)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="8" y="16" font-size="13" font-weight="bold">${escapeXml(chart.title)}</text>`,
  ]
  series.forEach((name, index) => {
    const x = 8 + index * 110
    parts.push(
      `<rect x="${x}" y="26" width="10" height="10" fill="${COLORS[index % COLORS.length]}"/>`,
      `<text x="${x + 14}" y="35">${escapeXml(name)}</text>`,
    )
  })
  groups.forEach((group, groupIndex) => {
    const y0 = TOP + groupIndex * groupHeight
    parts.push(
      `<text x="${LABEL_WIDTH - 6}" y="${y0 + (series.length * BAR) / 2 + 3}" text-anchor="end">${escapeXml(group.label)}</text>`,
    )
    group.values.forEach((value, index) => {
      const y = y0 + index * BAR
      const barWidth = Number.isFinite(value) ? Math.max(0, value * scale) : 0
      parts.push(
        `<rect x="${LABEL_WIDTH}" y="${y}" width="${barWidth.toFixed(1)}" height="${BAR - 1}" fill="${COLORS[index % COLORS.length]}"/>`,
        `<text x="${(LABEL_WIDTH + barWidth + 3).toFixed(1)}" y="${y + BAR - 2}" font-size="8">${Number.isFinite(value) ? value.toFixed(1) : '—'}${escapeXml(chart.unit)}</text>`,
      )
    })
  })
  if (chart.reference !== undefined) {
    const x = LABEL_WIDTH + chart.reference.value * scale
    parts.push(
      `<line x1="${x.toFixed(1)}" y1="${TOP - 4}" x2="${x.toFixed(1)}" y2="${height - 18}" stroke="#333" stroke-dasharray="4 3"/>`,
      `<text x="${x.toFixed(1)}" y="${height - 6}" text-anchor="middle">${escapeXml(chart.reference.label)}</text>`,
    )
  }
  parts.push('</svg>')
  return `${parts.join('\n')}\n`
}
