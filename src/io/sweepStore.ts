/**
 * The sweep's store: one SQLite file (sql.js, SQLite compiled to
 * WebAssembly: no native build), queryable with plain SQL. Layer results
 * are keyed by the job's canonical key, so a result stored twice is one
 * row and a rerun, or a different sweep into the same file, reuses every
 * result whose key it shares. The file is replaced atomically (export to
 * a temporary, rename) on each `flush`: a crash or Ctrl-C leaves the last
 * flushed state, never a torn file. Schema: README, "Sweeps".
 */
import { existsSync, readFileSync } from 'node:fs';
import initSqlJs, { type Database, type SqlValue } from 'sql.js';
import { SpecError } from '../spec/errors.js';
import { fsProblem, writeFileAtomic } from './files.js';

/** The schema (also in the README). */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
  key TEXT PRIMARY KEY, ok INTEGER NOT NULL, energy REAL, cycles REAL, macs REAL, dram_accesses REAL,
  utilization REAL, evaluated INTEGER, error TEXT, shape TEXT NOT NULL, design_label TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS designs (
  design INTEGER PRIMARY KEY, key TEXT NOT NULL, label TEXT NOT NULL, params TEXT NOT NULL, area REAL NOT NULL, clock_hz REAL NOT NULL);
CREATE TABLE IF NOT EXISTS networks (network INTEGER PRIMARY KEY, name TEXT NOT NULL, batch INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS layers (
  design INTEGER NOT NULL, network INTEGER NOT NULL, layer_index INTEGER NOT NULL, layer TEXT NOT NULL, shape TEXT NOT NULL, job TEXT NOT NULL,
  PRIMARY KEY (design, network, layer_index));
CREATE TABLE IF NOT EXISTS results (
  design INTEGER NOT NULL, network INTEGER NOT NULL, energy REAL, energy_per_inference REAL, cycles REAL, latency_s REAL, area REAL NOT NULL,
  macs REAL, dram_accesses REAL, layers INTEGER NOT NULL, error TEXT, pareto INTEGER NOT NULL, PRIMARY KEY (design, network));
CREATE VIEW IF NOT EXISTS layer_results AS
  SELECT l.design, n.name AS network, l.layer_index, l.layer, l.shape, l.job, j.ok, j.energy, j.cycles, j.macs, j.dram_accesses, j.utilization, j.error
  FROM layers l JOIN networks n ON n.network = l.network LEFT JOIN jobs j ON j.key = l.job;
`;

/** A job's stored answer. */
export interface JobRow {
  readonly key: string;
  readonly ok: boolean;
  readonly energy?: number; readonly cycles?: number; readonly macs?: number; readonly dramAccesses?: number; readonly utilization?: number; readonly evaluated?: number;
  readonly error?: string;
  readonly shape: string;
  readonly designLabel: string;
}

/** A design of the current sweep. */
export interface DesignRow { readonly design: number; readonly key: string; readonly label: string; readonly params: string; readonly area: number; readonly clockHz: number }
/** A (design, network) total. */
export interface ResultRow {
  readonly design: number; readonly network: number; readonly energy: number; readonly energyPerInference: number; readonly cycles: number; readonly latencyS: number;
  readonly area: number; readonly macs: number; readonly dramAccesses: number; readonly layers: number; readonly error?: string; readonly pareto: boolean;
}

let sql: Promise<initSqlJs.SqlJsStatic> | undefined;

/** An open store; call `flush` to write it, `close` when done. */
export class SweepStore {
  private dirty = false;
  private constructor(readonly path: string, private readonly db: Database) {}

  /** Open `path` (created on the first flush if missing); a file that is not a sweep store is a SpecError. */
  static async open(path: string): Promise<SweepStore> {
    sql ??= initSqlJs();
    const SQL = await sql;
    let db: Database;
    if (existsSync(path)) {
      let bytes: Uint8Array;
      try { bytes = readFileSync(path); } catch (e) { throw new SpecError(path, '', 'a readable sweep store (SQLite)', fsProblem(e)); }
      try {
        db = new SQL.Database(bytes);
        db.exec('SELECT count(*) FROM sqlite_master');
      } catch {
        throw new SpecError(path, '', 'a sweep store (an SQLite file written by dnnergy sweep)', 'another kind of file');
      }
    } else db = new SQL.Database();
    db.exec(SCHEMA);
    return new SweepStore(path, db);
  }

  /** Every stored job key. */
  jobKeys(): Set<string> {
    return new Set(this.rows('SELECT key FROM jobs').map((r) => String(r[0])));
  }

  /** Stored answers of the given keys. */
  jobs(): Map<string, JobRow> {
    const out = new Map<string, JobRow>();
    for (const r of this.rows('SELECT key, ok, energy, cycles, macs, dram_accesses, utilization, evaluated, error, shape, design_label FROM jobs')) {
      const ok = r[1] === 1;
      out.set(String(r[0]), ok
        ? { key: String(r[0]), ok, energy: Number(r[2]), cycles: Number(r[3]), macs: Number(r[4]), dramAccesses: Number(r[5]), utilization: Number(r[6]), evaluated: Number(r[7]), shape: String(r[9]), designLabel: String(r[10]) }
        : { key: String(r[0]), ok, error: String(r[8]), shape: String(r[9]), designLabel: String(r[10]) });
    }
    return out;
  }

  /** Store a job's answer; a key already stored is left as it is (the same key has the same answer). */
  putJob(j: JobRow): void {
    this.db.run('INSERT OR IGNORE INTO jobs (key, ok, energy, cycles, macs, dram_accesses, utilization, evaluated, error, shape, design_label) VALUES (?,?,?,?,?,?,?,?,?,?,?)', [
      j.key, j.ok ? 1 : 0, j.energy ?? null, j.cycles ?? null, j.macs ?? null, j.dramAccesses ?? null, j.utilization ?? null, j.evaluated ?? null, j.error ?? null, j.shape, j.designLabel,
    ]);
    this.dirty = true;
  }

  /** Replace the sweep's description (meta, designs, networks, layers); job answers stay. */
  setSweep(meta: Readonly<Record<string, string>>, designs: readonly DesignRow[], networks: readonly { network: number; name: string; batch: number }[], layers: readonly { design: number; network: number; layerIndex: number; layer: string; shape: string; job: string }[]): void {
    this.db.exec('BEGIN; DELETE FROM meta; DELETE FROM designs; DELETE FROM networks; DELETE FROM layers; DELETE FROM results;');
    for (const [k, v] of Object.entries(meta)) this.db.run('INSERT INTO meta VALUES (?, ?)', [k, v]);
    const d = this.db.prepare('INSERT INTO designs VALUES (?,?,?,?,?,?)');
    for (const x of designs) d.run([x.design, x.key, x.label, x.params, x.area, x.clockHz]);
    d.free();
    for (const n of networks) this.db.run('INSERT INTO networks VALUES (?,?,?)', [n.network, n.name, n.batch]);
    const l = this.db.prepare('INSERT INTO layers VALUES (?,?,?,?,?,?)');
    for (const x of layers) l.run([x.design, x.network, x.layerIndex, x.layer, x.shape, x.job]);
    l.free();
    this.db.exec('COMMIT');
    this.dirty = true;
  }

  /** Replace the (design, network) totals. */
  setResults(rows: readonly ResultRow[]): void {
    this.db.exec('BEGIN; DELETE FROM results;');
    const s = this.db.prepare('INSERT INTO results VALUES (?,?,?,?,?,?,?,?,?,?,?,?)');
    for (const r of rows) s.run([r.design, r.network, r.energy, r.energyPerInference, r.cycles, r.latencyS, r.area, r.macs, r.dramAccesses, r.layers, r.error ?? null, r.pareto ? 1 : 0]);
    s.free();
    this.db.exec('COMMIT');
    this.dirty = true;
  }

  /** The sweep's meta values. */
  meta(): Record<string, string> {
    return Object.fromEntries(this.rows('SELECT key, value FROM meta').map((r) => [String(r[0]), String(r[1])]));
  }

  designs(): DesignRow[] {
    return this.rows('SELECT design, key, label, params, area, clock_hz FROM designs ORDER BY design').map((r) => ({ design: Number(r[0]), key: String(r[1]), label: String(r[2]), params: String(r[3]), area: Number(r[4]), clockHz: Number(r[5]) }));
  }

  networks(): { network: number; name: string; batch: number }[] {
    return this.rows('SELECT network, name, batch FROM networks ORDER BY network').map((r) => ({ network: Number(r[0]), name: String(r[1]), batch: Number(r[2]) }));
  }

  layers(): { design: number; network: number; layerIndex: number; layer: string; shape: string; job: string }[] {
    return this.rows('SELECT design, network, layer_index, layer, shape, job FROM layers ORDER BY design, network, layer_index').map((r) => ({ design: Number(r[0]), network: Number(r[1]), layerIndex: Number(r[2]), layer: String(r[3]), shape: String(r[4]), job: String(r[5]) }));
  }

  /** Rows of a query (for the report and for tests). */
  rows(query: string): SqlValue[][] {
    return this.db.exec(query)[0]?.values ?? [];
  }

  /** Write the file atomically if anything changed since the last flush. */
  flush(): void {
    if (!this.dirty) return;
    writeFileAtomic(this.path, this.db.export());
    this.dirty = false;
  }

  close(): void {
    this.db.close();
  }
}
