/**
 * A plain-text table for technicians reading a terminal on the counter board (no colours, no
 * box-drawing characters that an old serial console would garble). Empty cells print as "-".
 */
export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const cells = [header, ...rows].map((r) => header.map((_, i) => r[i] || '-'));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => [...r[i]!].length)));
  return cells
    .map((r) =>
      r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - [...c].length))).join('  '),
    )
    .join('\n')
    .concat('\n');
}
