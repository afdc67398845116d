/**
 * v0.4 architectures as users write them — `nodes:` lists of `!Container`,
 * `!Component`, `!Parallel` (and `!Hierarchical`, `!Nothing`) with spatial
 * meshes, inherited attributes and expressions — turned into the tree
 * timeloopfe dumps (`subtree`/`local`, `name[1..N]`), which
 * `readArchitecture` reads. As timeloopfe does, a container that fans out
 * becomes a `dummy_storage` level `inter_<name>_spatial`, its constraints
 * and a mapping's entries for it go to that level, and the level keeps
 * nothing and has no temporal loops.
 */
import { At, isObj, list, obj, str, type Obj } from '../../../spec/read.js';
import { ExprError, evaluate, scopeOf } from '../../../util/expr.js';

/** Whether an `architecture` section is a v0.4 `nodes:` list of tagged nodes. */
export function isNodeList(arch: unknown): boolean {
  return isObj(arch) && Array.isArray(arch.nodes) && arch.nodes.some((n) => isObj(n) && typeof n.kind === 'string');
}

/**
 * A string attribute as timeloopfe reads it: an expression over the
 * variables and attributes in scope when it evaluates, else the string.
 */
export function evalValue(v: unknown, scope: Record<string, unknown>[]): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trim();
  if (t === '' || /^["']/.test(t)) return v;
  try {
    const r = evaluate(t, scopeOf(...scope));
    return typeof r === 'number' || typeof r === 'boolean' ? r : typeof r === 'string' ? r : v;
  } catch (e) {
    if (e instanceof ExprError) return v;
    throw e;
  }
}

/** Evaluate a mapping of attributes; each may name the others, the inherited ones and the variables. */
export function evalAttributes(raw: Obj, inherited: Record<string, unknown>, variables: Record<string, unknown>): Record<string, unknown> {
  const own: Record<string, unknown> = { ...raw };
  for (let pass = 0; pass < 4; pass++) {
    let changed = false;
    for (const [k, v] of Object.entries(own)) {
      const { [k]: _self, ...others } = own;
      void _self;
      const r = evalValue(v, [others, inherited, variables]);
      if (r !== v) { own[k] = r; changed = true; }
    }
    if (!changed) break;
  }
  return own;
}

/** Top-level `variables`, each evaluated over the ones before it. */
export function evalVariables(raw: unknown, at: At): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  const o = obj(raw, at);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = evalValue(v, [out]);
  return out;
}

/** What the conversion produced besides the tree. */
export interface NodeTree {
  readonly architecture: Obj;
  /** `architecture_constraints` targets from the nodes' `constraints`. */
  readonly targets: Obj[];
  /** Container name → its dummy level (mapping entries may target either). */
  readonly containers: ReadonlyMap<string, string>;
  /** Names of the dummy levels inserted. */
  readonly dummies: readonly string[];
  /** Nodes with `sparse_optimizations`. */
  readonly sparse: readonly string[];
  /** Their `sparse_optimizations` as Timeloop's `targets` entries (`name` added). */
  readonly sparseTargets: readonly Obj[];
}

interface Ctx { instances: number; meshX: number; meshY: number; attrs: Record<string, unknown> }

function meshOf(node: Obj, at: At, variables: Record<string, unknown>): { x: number; y: number } {
  if (node.spatial === undefined || node.spatial === null) return { x: 1, y: 1 };
  const s = obj(node.spatial, at.key('spatial'));
  const one = (k: 'meshX' | 'meshY'): number => {
    const v = evalValue(s[k] ?? 1, [variables]);
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) return at.key('spatial').key(k).fail('a positive whole number', v);
    return v;
  };
  return { x: one('meshX'), y: one('meshY') };
}

/**
 * The dumped tree of a `nodes:` architecture. `dataSpaces` complete a
 * constraint that lists only `keep` (the rest is bypassed, as timeloopfe
 * writes it); `variables` are the evaluated top-level variables; `spec` is
 * what an expression's `spec.` refers to.
 */
export function nodesToTree(arch: Obj, at: At, variables: Record<string, unknown>, dataSpaces: readonly string[], spec: Obj): NodeTree {
  const local: Obj[] = [];
  const targets: Obj[] = [];
  const containers = new Map<string, string>();
  const dummies: string[] = [];
  const sparse: string[] = [];
  const sparseTargets: Obj[] = [];
  let top: string | undefined;
  const constraintsOf = (node: Obj, nat: At, target: string) => {
    if (node.constraints === undefined || node.constraints === null) return;
    const c = obj(node.constraints, nat.key('constraints'));
    for (const [kind, raw] of Object.entries(c)) {
      const cat = nat.key('constraints').key(kind);
      const o = obj(raw, cat);
      if (kind === 'dataspace') {
        const keep = o.keep === undefined ? undefined : list(o.keep, cat.key('keep'));
        const bypass = o.bypass ?? (keep !== undefined ? dataSpaces.filter((d) => !keep.includes(d)) : undefined);
        targets.push({ target, type: 'bypass', ...(keep ? { keep } : {}), ...(bypass ? { bypass } : {}) });
      } else if (kind === 'temporal' || kind === 'spatial') {
        const e: Obj = { target, type: kind };
        for (const [k, v] of Object.entries(o)) e[k] = k === 'split' ? evalValue(v, [variables, { spec }]) : v;
        targets.push(e);
      } else cat.fail('constraints of kind dataspace, temporal or spatial', kind);
    }
  };
  const walk = (nodes: unknown, lat: At, ctx: Ctx): void => {
    list(nodes, lat).forEach((raw, i) => visit(raw, lat.key(i), ctx));
  };
  const visit = (raw: unknown, nat: At, ctx: Ctx): void => {
    {
      const node = obj(raw, nat);
      const kind = typeof node.kind === 'string' ? node.kind : nat.fail('a node tagged !Container, !Component, !Parallel, !Hierarchical or !Nothing', 'an untagged mapping');
      if (kind === 'Nothing') return;
      if (kind === 'Parallel') {
        // Each branch sees the fanout so far; none multiplies its siblings or what follows.
        list(node.nodes, nat.key('nodes')).forEach((child, j) => visit(child, nat.key('nodes').key(j), { ...ctx }));
        return;
      }
      if (kind === 'Hierarchical') { walk(node.nodes, nat.key('nodes'), ctx); return; }
      const name = str(node.name, nat.key('name'));
      if (node.sparse_optimizations !== undefined && node.sparse_optimizations !== null) {
        sparse.push(name);
        sparseTargets.push({ ...obj(node.sparse_optimizations, nat.key('sparse_optimizations')), name });
      }
      const attrs = node.attributes === undefined || node.attributes === null ? {} : evalAttributes(obj(node.attributes, nat.key('attributes')), ctx.attrs, variables);
      const m = meshOf(node, nat, variables);
      if (kind === 'Container') {
        top ??= name;
        if (m.x * m.y > 1) {
          const dummy = `inter_${name}_spatial`;
          local.push({ name: `${dummy}[1..${ctx.instances}]`, class: 'dummy_storage', attributes: { width: 1, depth: 1, datawidth: 1, meshX: ctx.meshX, meshY: ctx.meshY }, __path: nat.path });
          containers.set(name, dummy);
          dummies.push(dummy);
          constraintsOf(node, nat, dummy);
        }
        ctx.instances *= m.x * m.y;
        ctx.meshX *= m.x;
        ctx.meshY *= m.y;
        ctx.attrs = { ...ctx.attrs, ...attrs };
        return;
      }
      if (kind !== 'Component') nat.fail('a node tagged !Container, !Component, !Parallel, !Hierarchical or !Nothing', `!${kind}`);
      ctx.instances *= m.x * m.y;
      ctx.meshX *= m.x;
      ctx.meshY *= m.y;
      local.push({
        ...node,
        name: `${name}[1..${ctx.instances}]`,
        attributes: { ...ctx.attrs, ...attrs, meshX: ctx.meshX, meshY: ctx.meshY },
        __path: nat.path,
      });
      constraintsOf(node, nat, name);
    }
  };
  walk(arch.nodes, at.key('nodes'), { instances: 1, meshX: 1, meshY: 1, attrs: {} });
  for (const c of local) { delete c.kind; delete c.constraints; delete c.spatial; delete c.sparse_optimizations; }
  return {
    architecture: { ...(arch.version !== undefined ? { version: arch.version } : {}), subtree: [{ name: `${top ?? 'system'}_top_level`, local }] },
    targets,
    containers,
    dummies,
    sparse,
    sparseTargets,
  };
}
