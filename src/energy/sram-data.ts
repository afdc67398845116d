/**
 * SRAM figures CACTI gave Accelergy (45nm, 5 ns, 2 read/write ports), taken
 * from the published Accelergy reference ERT/ART of the
 * timeloop-accelergy-exercises (v0.3/v0.4 `01_primitive_architecture_ERT`,
 * `03_compound_architecture`, `04_eyeriss_like`). CACTI cannot run here, so
 * other SRAMs are scaled from the nearest of these points (`sram.ts`): an
 * APPROXIMATION, always said so in the warnings.
 *
 * Accelergy's SRAM ERT is linear in the action arguments: energy =
 * data_delta × data + address_delta × address (the (0,0) action costs 0).
 * For compound components the point is the reference minus its (0,0)
 * action, which is exactly the address generators' part.
 */
export interface SramPoint {
  readonly source: string;
  readonly width: number;
  readonly depth: number;
  readonly banks: number;
  readonly readData: number;
  readonly readAddress: number;
  readonly writeData: number;
  readonly writeAddress: number;
  readonly idle: number;
  /** um²; for compounds, minus two 16-bit Aladdin adders (179 um²). */
  readonly area: number;
}

/** The reference points (pJ per action, um²). */
export const SRAM_POINTS_45NM: readonly SramPoint[] = [
  { source: 'v3/v4 01_primitive_architecture_ERT GLB', width: 32, depth: 1024, banks: 1, readData: 3.374, readAddress: 1.446, writeData: 3.146, writeAddress: 1.348, idle: 0, area: 29133.3 },
  { source: 'v3/v4 03_compound_architecture GLB', width: 32, depth: 1024, banks: 4, readData: 4.053, readAddress: 0.434, writeData: 4.729, writeAddress: 0.507, idle: 0.0001, area: 39450 },
  { source: 'v3/v4 04_eyeriss_like weights_glb', width: 64, depth: 1024, banks: 2, readData: 7.15389, readAddress: 1.53298, writeData: 7.90331, writeAddress: 1.69357, idle: 0.0003, area: 76914.2 },
  { source: 'v3/v4 04_eyeriss_like shared_glb', width: 64, depth: 12800, banks: 25, readData: 47.51871, readAddress: 0.81461, writeData: 48.08816, writeAddress: 0.82437, idle: 0.005, area: 979198 },
];

/**
 * SRAM figures the v0.4 CACTI plug-in gave Accelergy 0.4 (1 ns clock), taken
 * from the Timeloop v4 references' ERT/ART (`v4-tl-*` MainMemory and
 * GlobalBuffer; `v4-tut02-dse-outputs`). Accelergy 0.4 prices whole
 * actions (no data/address arguments): read, write (= update), leak.
 */
export interface SramPointV04 {
  readonly source: string;
  readonly technology: number;
  readonly width: number;
  readonly depth: number;
  readonly banks: number;
  readonly read: number;
  readonly write: number;
  readonly leak: number;
  /** um², or null when the reference does not give it. */
  readonly area: number | null;
}

/** The v0.4 reference points (pJ per action, um²). */
export const SRAM_POINTS_V04: readonly SramPointV04[] = [
  { source: 'v4 tutorials (v4-tl-01..05) MainMemory', technology: 40, width: 64, depth: 32768, banks: 2, read: 43.353054, write: 30.878292, leak: 0.007972, area: 707084.0 },
  { source: 'v4-tut02-dse-outputs buffer', technology: 45, width: 128, depth: 512, banks: 2, read: 9.65335, write: 12.6203, leak: 0.000271, area: null },
];
