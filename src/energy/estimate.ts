/**
 * Energy and area per action without an ERT: what Accelergy computes from
 * component specs. Primitive classes are priced by the Aladdin table
 * (`aladdin.ts`); compound classes sum their subcomponents' actions, with
 * argument ranges enumerated, `repeat` and instance ranges as multipliers.
 * DRAM is priced by the CACTI plug-in's per-bit table. SRAMs beyond
 * Aladdin's range (CACTI in Accelergy) are missing unless `approximateSram`
 * is set: then they are scaled from CACTI-derived reference points
 * (`sram.ts`) and the estimator says APPROXIMATE.
 */
import { aladdinArea, aladdinEnergy, UnsupportedError, type AladdinEra, type Args, type Attrs } from './aladdin.js';
import { PRIMITIVE_DEFAULTS } from './aladdin-data.js';
import { DRAM_PJ_PER_BIT } from './dram-data.js';
import { sramApproxSource, sramApproxSourceV04, sramArea, sramAreaV04, sramEnergy, sramEnergyV04 } from './sram.js';
import { evalRange, evalValue, nameRange, type Scope } from './expr.js';

/** One component of a flattened architecture. */
export interface ComponentSpec {
  readonly name: string;
  readonly cls: string;
  readonly attributes: Attrs;
}

/** An action of a compound class: its arguments and subcomponent actions. */
export interface CompoundAction {
  readonly name: string;
  readonly arguments?: Readonly<Record<string, unknown>>;
  readonly subcomponents: readonly {
    readonly name: string;
    readonly actions: readonly { readonly name: string; readonly arguments?: Readonly<Record<string, unknown>>; readonly repeat?: unknown }[];
  }[];
}

/** A compound component class (Accelergy `compound_components`). */
export interface CompoundClass {
  readonly name: string;
  readonly attributes: Attrs;
  readonly subcomponents: readonly { readonly name: string; readonly cls: string; readonly attributes: Attrs }[];
  readonly actions: readonly CompoundAction[];
}

/** One ERT entry: an action with its arguments, its energy and who priced it. */
export interface EstimatedAction {
  readonly action: string;
  readonly arguments: Readonly<Record<string, number>> | null;
  /** pJ, or null when a figure is missing. */
  readonly energy: number | null;
}

/** The ERT and ART of one component. */
export interface ComponentEstimate {
  readonly name: string;
  readonly cls: string;
  readonly actions: readonly EstimatedAction[];
  /** um², or null when a figure is missing. */
  readonly area: number | null;
  /** Estimators used (e.g. `Aladdin_table (45nm)`), sorted. */
  readonly estimators: readonly string[];
  /** Why figures are missing (one line each, deduplicated). */
  readonly missing: readonly string[];
  /** Whether a figure is an approximation (an SRAM scaled from CACTI-derived points). */
  readonly approximate: boolean;
}

/** Actions of Accelergy's primitive classes (primitive_component.lib.yaml v0.3). */
const PRIMITIVE_ACTIONS: Readonly<Record<string, readonly CompoundAction[]>> = (() => {
  const plain = (...names: string[]): CompoundAction[] => names.map((name) => ({ name, subcomponents: [] }));
  const rw = (banks: string): CompoundAction[] => [
    { name: 'read', arguments: { data_delta: '0..1', address_delta: banks }, subcomponents: [] },
    { name: 'write', arguments: { data_delta: '0..1', address_delta: banks }, subcomponents: [] },
    { name: 'idle', subcomponents: [] },
  ];
  return {
    bitwise: plain('process', 'idle'), intadder: plain('add', 'idle'), fpadder: plain('add', 'idle'),
    intmultiplier: plain('mult_random', 'mult_reused', 'mult_gated', 'idle'),
    fpmultiplier: plain('mult_random', 'mult_reused', 'mult_gated', 'idle'),
    regfile: rw('0..1'), SRAM: rw('0..n_banks'), reg: plain('access'), DRAM: plain('read', 'write', 'idle'),
    counter: plain('count', 'idle'), FIFO: plain('push', 'pop', 'idle'),
    intmac: plain('mac_random', 'mac_reused', 'mac_gated', 'idle'), fpmac: plain('mac_random', 'mac_reused', 'mac_gated', 'idle'),
    crossbar: plain('transfer_random', 'transfer_repeated', 'idle'), wire: plain('transfer_random', 'transfer_repeated', 'idle'),
    comparator: plain('compare', 'idle'),
  };
})();

/**
 * Actions of a primitive component under Accelergy 0.4 (as timeloopfe asks
 * for them): compute units `compute`; everything else (storage) read,
 * write, update and leak.
 */
const COMPUTE_CLASSES = new Set(['intmac', 'fpmac', 'intadder', 'fpadder', 'intmultiplier', 'fpmultiplier', 'bitwise', 'compute', 'mac']);
function primitiveActionsV04(cls: string): CompoundAction[] {
  const names = COMPUTE_CLASSES.has(cls) ? ['compute'] : ['read', 'write', 'update', 'leak'];
  return names.map((name) => ({ name, subcomponents: [] }));
}

interface Acc { estimators: Set<string>; missing: Set<string>; approximateSram: boolean; era: AladdinEra }

/** Options of {@link estimateComponent}. */
export interface EstimateOptions {
  /** Price SRAMs beyond the Aladdin table by scaling CACTI-derived reference points (approximate). Default false. */
  readonly approximateSram?: boolean;
  /**
   * The plug-ins' rules: `v0.3` (Accelergy v0.3 tables, actions and
   * defaults; the default) or `v0.4` (Accelergy 0.4 as Timeloop v4 of May
   * 2024 ran it: clock-derived rows, `width`, read/write/update/leak and
   * compute actions, no primitive defaults). See docs/energy.md.
   */
  readonly era?: AladdinEra;
}

function isCactiSram(cls: string, err: Error): boolean {
  return cls === 'SRAM' && err.message.includes('needs CACTI');
}

function resolveAttrs(defaults: Attrs, given: Attrs, outer: Scope): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // Defaults may refer to each other (`total_PEs: n_PE_cols * n_PE_rows`) and to given values.
  // Given values are evaluated in the outer scope (a compound's attributes), or,
  // at the top level, in their own (`memory_depth: bank_depth * n_banks`).
  for (const [k, v] of Object.entries(given)) out[k] = evalValue(v, outer);
  if (Object.keys(outer).length === 0) for (const [k, v] of Object.entries(given)) out[k] = evalValue(v, { ...defaults, ...out });
  for (const [k, v] of Object.entries(defaults)) if (!(k in given)) out[k] = evalValue(v, { ...out });
  for (const [k, v] of Object.entries(defaults)) if (!(k in given)) out[k] = evalValue(v, { ...out });
  return out;
}

function argCombos(args: Readonly<Record<string, unknown>> | undefined, scope: Scope): Record<string, number>[] {
  if (!args || Object.keys(args).length === 0) return [];
  let combos: Record<string, number>[] = [{}];
  for (const [k, v] of Object.entries(args)) {
    const r = evalRange(v, scope);
    const vals: number[] = [];
    if (r) for (let x = r[0]; x <= r[1]; x++) vals.push(x);
    else vals.push(Number(evalValue(v, scope)));
    combos = combos.flatMap((c) => vals.map((x) => ({ ...c, [k]: x })));
  }
  return combos;
}

function dram(attrs: Attrs, action: string, acc: Acc): number | null {
  const type = String(attrs.type ?? 'LPDDR4');
  const perBit = DRAM_PJ_PER_BIT[type];
  const width = Number(attrs.width);
  if (perBit === undefined || !Number.isFinite(width)) {
    acc.missing.add(`DRAM: no figure for type ${type} width ${String(attrs.width)} (types: ${Object.keys(DRAM_PJ_PER_BIT).join(', ')})`);
    return null;
  }
  acc.estimators.add(`CACTI DRAM table (${type})`);
  return action === 'idle' || action === 'leak' ? 0 : perBit * width;
}

/** Classes of Accelergy 0.4's Library plug-in (tables of published figures with technology scaling): not reproduced. */
const LIBRARY_CLASS = /^(aladdin_|isaac_|raella_|timely_|forms_|newton_|brahms_|atomlayer_|jia_|raaam_|dummy_)/;

function unknownClass(cls: string): string {
  return LIBRARY_CLASS.test(cls)
    ? `${cls}: a class of Accelergy's Library plug-in (published tables with technology scaling), not reproduced here: give the ERT`
    : `${cls}: unknown class (neither a compound class in the inputs nor an Accelergy primitive)`;
}

/** timeloopfe's placeholder levels (`inter_<name>_spatial`): Accelergy's dummy table prices them at 0. */
const DUMMY_CLASSES = new Set(['dummy_storage', 'dummy_compute']);

function primitiveEnergy(cls: string, attrs: Attrs, action: string, args: Args, acc: Acc): number | null {
  if (cls === 'DRAM' || cls === 'dram') return dram(attrs, action, acc);
  if (DUMMY_CLASSES.has(cls)) { acc.estimators.add('dummy table (0 pJ)'); return 0; }
  if (LIBRARY_CLASS.test(cls)) { acc.missing.add(unknownClass(cls)); return null; }
  try {
    const e = aladdinEnergy(cls, attrs, action, args, acc.era);
    acc.estimators.add(`Aladdin_table (${String(attrs.technology)}${acc.era === 'v0.4' ? ', Accelergy 0.4 rules' : ''})`);
    return e;
  } catch (err) {
    if (!(err instanceof UnsupportedError)) throw err;
    if (acc.approximateSram && isCactiSram(cls, err)) {
      try {
        const e = acc.era === 'v0.4' ? sramEnergyV04(attrs, action) : sramEnergy(attrs, action, args);
        acc.estimators.add(acc.era === 'v0.4' ? sramApproxSourceV04(attrs) : sramApproxSource(attrs));
        return e;
      } catch (err2) {
        if (!(err2 instanceof UnsupportedError)) throw err2;
        acc.missing.add(`${cls}: ${err2.message}`);
        return null;
      }
    }
    acc.missing.add(`${cls}: ${err.message}`);
    return null;
  }
}

function actionEnergy(
  cls: string, attrs: Attrs, action: string, args: Args, classes: ReadonlyMap<string, CompoundClass>, acc: Acc, depth = 0,
): number | null {
  const c = classes.get(cls);
  if (!c) return primitiveEnergy(cls, attrs, action, args, acc);
  if (depth > 50) throw new UnsupportedError(`compound class ${cls} nests itself`);
  const a = c.actions.find((x) => x.name === action);
  if (!a) { acc.missing.add(`${cls}: no action ${action}`); return null; }
  const scope: Scope = { ...attrs, ...(args ?? {}) };
  let total = 0;
  let ok = true;
  for (const s of a.subcomponents) {
    const { base, count } = nameRange(s.name, scope);
    const sub = c.subcomponents.find((x) => nameRange(x.name, attrs).base === base);
    if (!sub) { acc.missing.add(`${cls}: no subcomponent ${base}`); ok = false; continue; }
    const subAttrs = subcomponentAttrs(sub, attrs, classes, acc.era);
    for (const sa of s.actions) {
      const subArgs: Record<string, number> | null = sa.arguments
        ? Object.fromEntries(Object.entries(sa.arguments).map(([k, v]) => [k, Number(evalValue(v, scope))]))
        : null;
      const repeat = sa.repeat === undefined ? 1 : Number(evalValue(sa.repeat, scope));
      const e = actionEnergy(sub.cls, subAttrs, sa.name, subArgs, classes, acc, depth + 1);
      if (e === null) ok = false;
      else total += e * count * repeat;
    }
  }
  return ok ? total : null;
}

function subcomponentAttrs(sub: CompoundClass['subcomponents'][number], parent: Attrs, classes: ReadonlyMap<string, CompoundClass>, era: AladdinEra): Attrs {
  const defaults = classes.get(sub.cls)?.attributes ?? (era === 'v0.3' ? PRIMITIVE_DEFAULTS[sub.cls] : undefined) ?? {};
  // Accelergy 0.4 passes a compound's attributes down to its subcomponents; v0.3 only those mapped.
  return resolveAttrs(defaults, era === 'v0.4' ? { ...parent, ...sub.attributes } : sub.attributes, parent);
}

function area(cls: string, attrs: Attrs, classes: ReadonlyMap<string, CompoundClass>, acc: Acc, depth = 0): number | null {
  const c = classes.get(cls);
  if (!c) {
    if ((cls === 'DRAM' || cls === 'dram') && DRAM_PJ_PER_BIT[String(attrs.type ?? 'LPDDR4')] !== undefined) return 0;
    if (DUMMY_CLASSES.has(cls)) return 0;
    try { return aladdinArea(cls, attrs, acc.era); } catch (err) {
      if (!(err instanceof UnsupportedError)) throw err;
      if (acc.approximateSram && isCactiSram(cls, err)) {
        try { return acc.era === 'v0.4' ? sramAreaV04(attrs) : sramArea(attrs); } catch (err2) {
          if (!(err2 instanceof UnsupportedError)) throw err2;
        }
      }
      acc.missing.add(`${cls} area: ${err.message}`);
      return null;
    }
  }
  if (depth > 50) return null;
  let total = 0;
  let ok = true;
  for (const sub of c.subcomponents) {
    const { count } = nameRange(sub.name, attrs);
    const a = area(sub.cls, subcomponentAttrs(sub, attrs, classes, acc.era), classes, acc, depth + 1);
    if (a === null) ok = false;
    else total += a * count;
  }
  return ok ? total : null;
}

/**
 * The ERT and ART of one component, estimated from its class and
 * attributes; `classes` holds the compound classes in scope.
 */
export function estimateComponent(spec: ComponentSpec, classes: ReadonlyMap<string, CompoundClass>, opts: EstimateOptions = {}): ComponentEstimate {
  const era = opts.era ?? 'v0.3';
  const acc: Acc = { estimators: new Set(), missing: new Set(), approximateSram: opts.approximateSram ?? false, era };
  const compound = classes.get(spec.cls);
  // Accelergy 0.4's primitives have no default attributes (a v0.3 default `datawidth: 16` would override `width`).
  const attrs = resolveAttrs(compound?.attributes ?? (era === 'v0.3' ? PRIMITIVE_DEFAULTS[spec.cls] : undefined) ?? {}, spec.attributes, {});
  const actions: EstimatedAction[] = [];
  const known = PRIMITIVE_ACTIONS[spec.cls] !== undefined || spec.cls === 'dram' || DUMMY_CLASSES.has(spec.cls);
  const list = compound?.actions ?? (known && (era === 'v0.4' || DUMMY_CLASSES.has(spec.cls)) ? primitiveActionsV04(spec.cls) : PRIMITIVE_ACTIONS[spec.cls]);
  if (!list) acc.missing.add(unknownClass(spec.cls));
  for (const a of list ?? []) {
    const combos = argCombos(a.arguments, attrs);
    for (const args of combos.length ? combos : [null]) {
      actions.push({ action: a.name, arguments: args, energy: actionEnergy(spec.cls, attrs, a.name, args, classes, acc) });
    }
  }
  const ar = list ? area(spec.cls, attrs, classes, acc) : null;
  const estimators = [...acc.estimators].sort();
  // Energy reasons first (they were found first), then area's.
  return { name: spec.name, cls: spec.cls, actions, area: ar, estimators, missing: [...acc.missing], approximate: estimators.some((x) => x.includes('APPROXIMATE')) };
}
