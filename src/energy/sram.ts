/**
 * An APPROXIMATE stand-in for Accelergy's CACTI plug-in on SRAMs beyond the
 * Aladdin table: the nearest reference point of `sram-data.ts` (by log
 * distance in width, depth and banks), scaled: data energy by width and by
 * the square root of depth (bit and word lines grow with the array's side),
 * address energy by the square root of depth per bank, area by capacity.
 * Exact at the reference points; elsewhere an estimate, not CACTI.
 */
import { SRAM_POINTS_45NM, SRAM_POINTS_V04, type SramPoint, type SramPointV04 } from './sram-data.js';
import type { Args, Attrs } from './aladdin.js';
import { UnsupportedError } from './aladdin.js';

interface Shape { readonly width: number; readonly depth: number; readonly banks: number }
interface Fit<P> extends Shape { readonly point: P }

/** The nearest point (by |log| distance in width, depth, banks) to an SRAM's attributes; `banks` when n_banks is absent. */
function nearest<P extends Shape>(points: readonly P[], attrs: Attrs, banksDefault: number, techs: string): Fit<P> {
  const t = String(attrs.technology ?? '');
  if (!['40', '40nm', '45', '45nm'].includes(t)) throw new UnsupportedError(`SRAM needs CACTI, and the CACTI-derived points are ${techs} only (technology ${t || 'missing'})`);
  const width = Number(attrs.width);
  const depth = Number(attrs.depth);
  const banks = Number(attrs.n_banks ?? banksDefault);
  if (![width, depth, banks].every((x) => Number.isFinite(x) && x > 0)) throw new UnsupportedError('SRAM needs width, depth and n_banks as positive numbers');
  const dist = (p: P): number => Math.abs(Math.log(width / p.width)) + Math.abs(Math.log(depth / p.depth)) + Math.abs(Math.log(banks / p.banks));
  let best = points[0]!;
  for (const p of points) if (dist(p) < dist(best)) best = p;
  return { point: best, width, depth, banks };
}

const fit = (attrs: Attrs): Fit<SramPoint> => nearest(SRAM_POINTS_45NM, attrs, 1, '45nm');

/** What the approximation was scaled from (for the loud warning). */
export function sramApproxSource(attrs: Attrs): string {
  const f = fit(attrs);
  const exact = f.width === f.point.width && f.depth === f.point.depth && f.banks === f.point.banks;
  return `SRAM ${f.width}x${f.depth}, ${f.banks} bank(s): ${exact ? 'CACTI figure of' : 'APPROXIMATE, scaled from'} ${f.point.source}`;
}

/** Energy (pJ) of an SRAM action, approximated as the module says. */
export function sramEnergy(attrs: Attrs, action: string, args: Args): number {
  const { point: p, width, depth, banks } = fit(attrs);
  const data = (width / p.width) * Math.sqrt(depth / p.depth);
  const addr = Math.sqrt((depth / banks) / (p.depth / p.banks));
  if (action === 'idle') return p.idle * (width * depth) / (p.width * p.depth);
  const dd = args?.data_delta ?? 1;
  const ad = args?.address_delta ?? 1;
  if (action === 'write') return dd * p.writeData * data + ad * p.writeAddress * addr;
  return dd * p.readData * data + ad * p.readAddress * addr;
}

/** Area (um²) of an SRAM, approximated by capacity. */
export function sramArea(attrs: Attrs): number {
  const { point: p, width, depth } = fit(attrs);
  return (p.area * width * depth) / (p.width * p.depth);
}

// timeloopfe's default for storage is 2 banks.
const fitV04 = (attrs: Attrs): Fit<SramPointV04> => nearest(SRAM_POINTS_V04, attrs, 2, '40/45nm');

/** What the Accelergy 0.4 approximation was scaled from (for the loud warning). */
export function sramApproxSourceV04(attrs: Attrs): string {
  const f = fitV04(attrs);
  const exact = f.width === f.point.width && f.depth === f.point.depth && f.banks === f.point.banks;
  return `SRAM ${f.width}x${f.depth}, ${f.banks} bank(s): ${exact ? 'CACTI (Accelergy 0.4) figure of' : 'APPROXIMATE, scaled from the Accelergy 0.4 CACTI figure of'} ${f.point.source}`;
}

/**
 * Energy (pJ) of an SRAM action under Accelergy 0.4's action names (read,
 * write, update, leak), scaled from the nearest v0.4 point as the v0.3
 * approximation scales data energy: by width and √depth; leakage by capacity.
 */
export function sramEnergyV04(attrs: Attrs, action: string): number {
  const { point: p, width, depth } = fitV04(attrs);
  if (action === 'leak') return (p.leak * width * depth) / (p.width * p.depth);
  const scale = (width / p.width) * Math.sqrt(depth / p.depth);
  return (action === 'read' ? p.read : p.write) * scale;
}

/** Area (um²) of an SRAM under the v0.4 points, by capacity. */
export function sramAreaV04(attrs: Attrs): number {
  const { point: p, width, depth } = fitV04(attrs);
  if (p.area === null) throw new UnsupportedError(`SRAM area: the Accelergy 0.4 point ${p.source} has no area`);
  return (p.area * width * depth) / (p.width * p.depth);
}
