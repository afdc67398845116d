/**
 * Accelergy's inputs as plain (parsed YAML) values: a v0.2/v0.3
 * architecture tree (`subtree`/`local`, attributes inherited down the tree)
 * or its flattened form, and `compound_components` classes.
 */
import { describe, SpecError } from '../spec/errors.js';
import type { Attrs } from './aladdin.js';
import type { ComponentSpec, CompoundAction, CompoundClass } from './estimate.js';

type O = Record<string, unknown>;
const isO = (v: unknown): v is O => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * The components of an Accelergy architecture document, flattened: an
 * `architecture:` tree (or its flattened `local` list) or the 2019
 * `flattened_architecture.components` map.
 */
export function accelergyComponents(doc: unknown, file: string): ComponentSpec[] {
  const fa = isO(doc) ? doc.flattened_architecture : undefined;
  if (isO(fa) && isO(fa.components)) {
    return Object.entries(fa.components).filter((e): e is [string, O] => isO(e[1])).map(([name, c]) => ({
      name, cls: String(c.class), attributes: isO(c.attributes) ? c.attributes : {},
    }));
  }
  const a = isO(doc) ? doc.architecture : undefined;
  if (!isO(a)) throw new SpecError(file, 'architecture', 'an Accelergy architecture (subtree/local)', describe(a));
  const out: ComponentSpec[] = [];
  const walk = (node: O, prefix: string, inherited: Attrs, at: string): void => {
    const attrs = { ...inherited, ...(isO(node.attributes) ? node.attributes : {}) };
    arr(node.local).forEach((c, i) => {
      if (!isO(c) || typeof c.name !== 'string' || typeof c.class !== 'string') {
        throw new SpecError(file, `${at}.local[${i}]`, 'a component with name and class', describe(c));
      }
      out.push({ name: prefix + c.name, cls: typeof c.subclass === 'string' && c.subclass !== '' ? c.subclass : c.class, attributes: { ...attrs, ...(isO(c.attributes) ? c.attributes : {}) } });
    });
    arr(node.subtree).forEach((s, i) => {
      if (!isO(s) || typeof s.name !== 'string') throw new SpecError(file, `${at}.subtree[${i}].name`, 'a non-empty string', describe(s));
      walk(s, `${prefix}${s.name}.`, attrs, `${at}.subtree[${i}]`);
    });
  };
  walk(a, '', {}, 'architecture');
  return out;
}

/** The compound classes of a document (`compound_components.classes`, or a bare 2019 class). */
export function accelergyClasses(doc: unknown, file: string): CompoundClass[] {
  // A 2019 components file is one bare class.
  const single = isO(doc) && typeof doc.name === 'string' && Array.isArray(doc.subcomponents);
  // v0.4 (timeloopfe) names the section `components`; v0.3 `compound_components`.
  const cc = isO(doc) ? doc.compound_components ?? (isO(doc.components) && Array.isArray(doc.components.classes) ? doc.components : undefined) : undefined;
  if (cc === undefined && !single) return [];
  const classes = single ? [doc] : arr(isO(cc) ? cc.classes : undefined);
  return classes.map((c, i): CompoundClass => {
    if (!isO(c) || typeof c.name !== 'string') throw new SpecError(file, `compound_components.classes[${i}].name`, 'a non-empty string', describe(c));
    return {
      name: c.name,
      attributes: isO(c.attributes) ? c.attributes : {},
      subcomponents: arr(c.subcomponents).filter(isO).map((s) => ({
        name: String(s.name), cls: String(s.class), attributes: isO(s.attributes) ? s.attributes : {},
      })),
      actions: arr(c.actions).filter(isO).map((a): CompoundAction => ({
        name: String(a.name),
        ...(isO(a.arguments) ? { arguments: a.arguments } : {}),
        subcomponents: arr(a.subcomponents).filter(isO).map((s) => ({
          name: String(s.name),
          actions: arr(s.actions).filter(isO).map((x) => ({
            name: String(x.name),
            ...(isO(x.arguments) ? { arguments: x.arguments } : {}),
            ...(x.repeat !== undefined ? { repeat: x.repeat } : {}),
          })),
        })),
      })),
    };
  });
}
