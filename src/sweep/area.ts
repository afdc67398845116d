/**
 * Area of a design, for the front's area axis and for equal-area rules.
 * Two sources, and the sweep says which it used:
 * - `art`: the energy module's area estimation (Accelergy's Aladdin table at
 *   45 nm; SRAMs beyond it scaled from CACTI points, approximate), over the
 *   on-chip storage levels (width = word bits × block, depth = words /
 *   block) and the MACs, times their instances. The built-ins name no
 *   technology or component classes: 45 nm, `regfile` for per-PE storage,
 *   `SRAM` for shared, `intmac` of the level's word width are defaults,
 *   and each design's warnings say so.
 * - `isca16`: the ISCA'16 equal-area rule of the comparison set: bytes of PE
 *   storage × RF_AREA_PER_BUFFER_BYTE + bytes of buffer, in buffer-byte
 *   equivalents (the paper's own budget).
 */
import type { Arch } from '../arch/arch.js';
import { RF_AREA_PER_BUFFER_BYTE } from '../designs/isca16.js';
import { estimateComponent } from '../energy/estimate.js';

/** Which rule priced an area. */
export type AreaSource = 'art' | 'isca16';

/** A design's area, its unit and what priced it. */
export interface AreaEstimate {
  readonly value: number;
  readonly unit: 'mm2' | 'buffer-byte-equivalents';
  readonly source: AreaSource;
  /** Defaults that priced something, and parts left out. */
  readonly warnings: readonly string[];
}

const TECHNOLOGY = '45nm';

/** Area by the energy module's estimation (ART); see the module comment for the defaults. */
export function artArea(arch: Arch): AreaEstimate {
  const warnings = [`area: technology ${TECHNOLOGY}, regfile for per-PE storage, SRAM for shared storage and intmac for the MACs are defaults (the design names none)`];
  let um2 = 0;
  const pes = arch.compute.instances;
  for (const l of arch.storage) {
    if (l.isDummy || l.offChip) continue;
    if (l.sizeWords === null) { warnings.push(`area: level ${l.name} has no size; left out`); continue; }
    const block = Math.max(1, l.blockSize);
    const cls = l.instances > 1 ? 'regfile' : 'SRAM';
    const est = estimateComponent({ name: l.name, cls, attributes: { technology: TECHNOLOGY, width: l.wordBits * block, depth: Math.ceil(l.sizeWords / block), n_banks: 1 } }, new Map(), { approximateSram: true });
    if (est.area === null) { warnings.push(`area: level ${l.name}: ${est.missing.join('; ')}; left out`); continue; }
    if (est.approximate) warnings.push(`area: level ${l.name} is an APPROXIMATE SRAM (scaled from CACTI points)`);
    um2 += est.area * l.instances;
  }
  const bits = arch.storage.find((l) => !l.isDummy)?.wordBits ?? 16;
  const mac = estimateComponent({ name: arch.compute.name, cls: 'intmac', attributes: { technology: TECHNOLOGY, datawidth: bits } }, new Map());
  if (mac.area === null) warnings.push(`area: MAC: ${mac.missing.join('; ')}; left out`);
  else um2 += mac.area * pes;
  return { value: um2 / 1e6, unit: 'mm2', source: 'art', warnings };
}

/** Area by the ISCA'16 rule: storage bytes, a PE's RF byte weighted by RF_AREA_PER_BUFFER_BYTE. */
export function isca16Area(arch: Arch): AreaEstimate {
  const pes = arch.compute.instances;
  let bytes = 0;
  for (const l of arch.storage) {
    if (l.isDummy || l.offChip || l.sizeWords === null) continue;
    const b = l.sizeWords * l.instances * (l.wordBits / 8);
    bytes += l.instances === pes ? b * RF_AREA_PER_BUFFER_BYTE : b;
  }
  return { value: bytes, unit: 'buffer-byte-equivalents', source: 'isca16', warnings: [] };
}
