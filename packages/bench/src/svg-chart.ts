/** A horizontal bar chart as a standalone SVG document, for the README. No dependencies. */

/** One bar: its label, its value and whether it is ours (drawn in the accent colour). */
export interface Bar {
  readonly label: string
  readonly value: number
  readonly ours?: boolean
}

/** A titled group of bars, drawn on its own scale (its longest bar spans the plot). */
export interface BarGroup {
  readonly title: string
  readonly bars: readonly Bar[]
}

const WIDTH = 760
const LABEL_WIDTH = 300
const BAR_HEIGHT = 16
const GAP = 5
const GROUP_GAP = 26
const PLOT_WIDTH = WIDTH - LABEL_WIDTH - 90

/**
 * Renders `groups` as horizontal bars, each group on its own linear scale (backends differ
 * by orders of magnitude), each bar labelled with `format(value)`; `caption` goes under
 * the title line.
 */
export function barChart(
  title: string,
  caption: string,
  groups: readonly BarGroup[],
  format: (value: number) => string,
): string {
  const parts: string[] = []
  let y = 56
  for (const group of groups) {
    const max = Math.max(...group.bars.map((bar) => bar.value))
    parts.push(text(12, y, group.title, 'font-weight="bold"'))
    y += 8
    for (const bar of group.bars) {
      const width = Math.max(1, (bar.value / max) * PLOT_WIDTH)
      const fill = bar.ours ? '#d9480f' : '#868e96'
      parts.push(text(LABEL_WIDTH - 8, y + 12, bar.label, 'text-anchor="end"'))
      parts.push(
        `<rect x="${LABEL_WIDTH}" y="${y}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}" fill="${fill}"/>`,
      )
      parts.push(text(Math.round(LABEL_WIDTH + width + 6), y + 12, format(bar.value)))
      y += BAR_HEIGHT + GAP
    }
    y += GROUP_GAP - GAP
  }
  const height = y
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    text(12, 22, title, 'font-size="15" font-weight="bold"'),
    text(12, 40, caption, 'fill="#495057"'),
    ...parts,
    '</svg>',
    '',
  ].join('\n')
}

function text(x: number, y: number, content: string, attributes = ''): string {
  return `<text x="${x}" y="${y}" ${attributes}>${escapeXml(content)}</text>`
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}
