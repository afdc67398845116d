/** Plain-text reports: a per-level table of one evaluation. */
import type { Result } from '../model/result.js';

/** Format a number with thousands separators; fractions to `digits` places. */
export function fmt(n: number, digits = 0): string {
  const s = n.toFixed(digits);
  const [int, frac] = s.split('.');
  const withSep = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac !== undefined ? `${withSep}.${frac}` : withSep;
}

/** Energy with a unit that keeps 3-4 significant digits. */
export function fmtEnergy(pJ: number): string {
  const units: [number, string][] = [[1e12, 'J'], [1e9, 'mJ'], [1e6, 'uJ'], [1e3, 'nJ'], [1, 'pJ']];
  for (const [f, u] of units) if (Math.abs(pJ) >= f) return `${(pJ / f).toPrecision(4)} ${u}`;
  return `${pJ.toPrecision(4)} pJ`;
}

function table(rows: string[][], alignRight: boolean[]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (alignRight[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd()).join('\n') + '\n';
}

/** The human-readable report of `dnnergy model`. */
export function formatResult(r: Result, workloadName: string, archName: string): string {
  const out: string[] = [];
  out.push(`${workloadName} on ${archName}: ${fmt(r.computes)} MACs, ${fmt(r.cycles)} cycles, utilization ${(r.utilization * 100).toFixed(1)}%`);
  out.push(`energy ${fmtEnergy(r.energyPJ)} (${(r.energyPJ / r.computes).toFixed(3)} pJ/MAC)\n`);
  const rows: string[][] = [['level', 'tensor', 'reads', 'fills', 'updates', 'capacity', 'inst', 'energy', 'pJ/MAC', 'share']];
  for (const l of r.levels) {
    const share = `${((l.energyPJ / r.energyPJ) * 100).toFixed(1)}%`;
    if (l.dataSpaces.length === 0) {
      rows.push([l.name, l === r.levels[0] ? '(compute)' : '-', '', '', '', '', `${l.utilizedInstances}/${l.instances}`, fmtEnergy(l.energyPJ), (l.energyPJ / r.computes).toFixed(3), share]);
      continue;
    }
    l.dataSpaces.forEach((d, i) => {
      rows.push([
        i === 0 ? l.name : '',
        d.name,
        fmt(d.reads),
        fmt(d.fills),
        fmt(d.updates),
        fmt(d.utilizedCapacity),
        i === 0 ? `${l.utilizedInstances}/${l.instances}` : '',
        fmtEnergy(d.energyPJ),
        (d.energyPJ / r.computes).toFixed(3),
        '',
      ]);
    });
    if (l.leakagePJ > 0) rows.push(['', '(leak)', '', '', '', '', '', fmtEnergy(l.leakagePJ), (l.leakagePJ / r.computes).toFixed(3), '']);
    rows[rows.length - l.dataSpaces.length - (l.leakagePJ > 0 ? 1 : 0)][9] = share;
  }
  out.push(table(rows, [false, false, true, true, true, true, true, true, true, true]));
  out.push('reads, fills, updates and capacity are per instance (words); energy is for all instances.\n');
  const sparse = formatSparse(r);
  if (sparse) out.push(sparse);
  return out.join('\n');
}

/** The sparse columns (a sparse run only): algorithmic, actual, gated and skipped counts, metadata and format per level and tensor. */
function formatSparse(r: Result): string | null {
  const c = r.levels[0]?.computeCounts;
  if (!c) return null;
  const out: string[] = [`sparse: computes algorithmic ${fmt(c.algorithmic)}, actual ${fmt(c.actual)}, gated ${fmt(c.gated)}, skipped ${fmt(c.skipped)}\n`];
  const rows: string[][] = [['level', 'tensor', 'format', 'op', 'algorithmic', 'actual', 'gated', 'skipped', 'metadata (md,pl)', 'capacity']];
  for (const l of r.levels) l.dataSpaces.forEach((d, i) => {
    const sp = d.sparse;
    if (!sp) return;
    let first = true;
    (['reads', 'fills', 'updates'] as const).forEach((op) => {
      if (sp.algorithmic[op] === 0 && d[op] === 0) return;
      const md = sp.metadata.actual[op].map((p) => `(${p[0]},${p[1]})`).join(' ');
      rows.push([i === 0 && first ? l.name : '', first ? d.name : '', first ? (sp.format.join(' ') || '-') : '', op, fmt(sp.algorithmic[op]), fmt(d[op]), fmt(sp.gated[op]), fmt(sp.skipped[op]), md, first ? fmt(d.utilizedCapacity) : '']);
      first = false;
    });
  });
  out.push(table(rows, [false, false, false, false, true, true, true, true, false, true]));
  out.push('per instance; metadata: per rank, outermost first, as [metadata, payload] units; capacity: words of the compressed tile.\n');
  return out.join('\n');
}
