/**
 * What the source says for certain about a value: object and array literals, literal strings, numbers and booleans,
 * template literals without expressions, `as const` / `satisfies` / `!`, spreads, and identifiers bound to `const`
 * literals in the same file that nothing can have changed. Everything else is `unknown`.
 *
 * An object with an unknown spread or computed key is `open`: it may hold any key besides the known ones, and a
 * known member written before an unknown spread may be overwritten by it (so its value is unknown). An array with
 * an unknown spread is `open` from that spread on (the elements after it are at unknown indices and are left out).
 */
import type { Rule, Scope } from 'eslint';
import type * as ESTree from 'estree';

export type Primitive = string | number | boolean | null;

export interface Member {
  /** The property (key and value) in the source; undefined for a member that came from a spread of a const. */
  property: ESTree.Node;
  value: Static;
}

export type Static =
  | { kind: 'value'; value: Primitive; node: ESTree.Node }
  | { kind: 'object'; members: Map<string, Member>; open: boolean; node: ESTree.Node }
  | { kind: 'array'; elements: Static[]; open: boolean; node: ESTree.Node }
  | { kind: 'unknown'; node: ESTree.Node };

const MAX_DEPTH = 32;

/** TypeScript wrappers that do not change the value: `x as T`, `x satisfies T`, `x!`, `<T>x`. */
const TS_WRAPPERS = new Set(['TSAsExpression', 'TSSatisfiesExpression', 'TSNonNullExpression', 'TSTypeAssertion']);

export function unwrap(node: ESTree.Node): ESTree.Node {
  let n = node;
  while (TS_WRAPPERS.has(n.type)) n = (n as unknown as { expression: ESTree.Node }).expression;
  return n;
}

/** Reads values of one file; `context` gives the scopes that identifiers are looked up in. */
export class StaticReader {
  constructor(private readonly context: Rule.RuleContext) {}

  read(node: ESTree.Node, depth = 0): Static {
    const n = unwrap(node);
    if (depth > MAX_DEPTH) return { kind: 'unknown', node: n };
    switch (n.type) {
      case 'Literal':
        return isPrimitive(n.value) ? { kind: 'value', value: n.value, node: n } : { kind: 'unknown', node: n };
      case 'TemplateLiteral':
        return n.expressions.length === 0 ? { kind: 'value', value: n.quasis.map((q) => q.value.cooked ?? '').join(''), node: n } : { kind: 'unknown', node: n };
      case 'UnaryExpression':
        return n.operator === '-' && n.argument.type === 'Literal' && typeof n.argument.value === 'number' ? { kind: 'value', value: -n.argument.value, node: n } : { kind: 'unknown', node: n };
      case 'ObjectExpression':
        return this.object(n, depth);
      case 'ArrayExpression':
        return this.array(n, depth);
      case 'Identifier': {
        const init = this.constInit(n);
        return init === undefined ? { kind: 'unknown', node: n } : { ...this.read(init, depth + 1), node: n };
      }
      default:
        return { kind: 'unknown', node: n };
    }
  }

  /** The initializer of a `const` the identifier names, when nothing in the file can have changed its value. */
  constInit(id: ESTree.Identifier): ESTree.Expression | undefined {
    const variable = findVariable(this.context.sourceCode.getScope(id), id.name);
    const def = variable?.defs.length === 1 ? variable.defs[0] : undefined;
    if (def?.type !== 'Variable' || def.parent.kind !== 'const' || def.node.id.type !== 'Identifier' || !def.node.init) return undefined;
    for (const ref of variable!.references) if (!ref.init && !isPlainRead(ref.identifier as ESTree.Identifier & Rule.NodeParentExtension)) return undefined;
    return def.node.init;
  }

  private object(n: ESTree.ObjectExpression, depth: number): Static {
    const members = new Map<string, Member>();
    let open = false;
    for (const p of n.properties) {
      if (p.type === 'SpreadElement') {
        const spread = this.read(p.argument, depth + 1);
        if (spread.kind === 'object') {
          for (const [k, m] of spread.members) members.set(k, m);
          if (spread.open) open = overwriteAll(members, p);
        } else open = overwriteAll(members, p);
        continue;
      }
      const key = propertyKey(p, this, depth);
      if (key === undefined) {
        open = overwriteAll(members, p);
        continue;
      }
      const value: Static = p.kind === 'init' && !p.method ? this.read(p.value as ESTree.Expression, depth + 1) : { kind: 'unknown', node: p };
      members.delete(key); // a later key takes the place of an earlier one (and its position)
      members.set(key, { property: p, value });
    }
    return { kind: 'object', members, open, node: n };
  }

  private array(n: ESTree.ArrayExpression, depth: number): Static {
    const elements: Static[] = [];
    for (const e of n.elements) {
      if (e === null) {
        elements.push({ kind: 'value', value: null, node: n });
        continue;
      }
      if (e.type === 'SpreadElement') {
        const spread = this.read(e.argument, depth + 1);
        if (spread.kind !== 'array') return { kind: 'array', elements, open: true, node: n };
        elements.push(...spread.elements);
        if (spread.open) return { kind: 'array', elements, open: true, node: n };
        continue;
      }
      elements.push(this.read(e, depth + 1));
    }
    return { kind: 'array', elements, open: false, node: n };
  }
}

function isPrimitive(v: unknown): v is Primitive {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** An unknown spread or computed key may set any key written before it: their values become unknown. */
function overwriteAll(members: Map<string, Member>, at: ESTree.Node): true {
  for (const [k, m] of members) members.set(k, { property: m.property, value: { kind: 'unknown', node: at } });
  return true;
}

function propertyKey(p: ESTree.Property, reader: StaticReader, depth: number): string | undefined {
  if (!p.computed) {
    if (p.key.type === 'Identifier') return p.key.name;
    if (p.key.type === 'Literal' && (typeof p.key.value === 'string' || typeof p.key.value === 'number')) return String(p.key.value);
    return undefined;
  }
  const k = reader.read(p.key as ESTree.Expression, depth + 1);
  return k.kind === 'value' && (typeof k.value === 'string' || typeof k.value === 'number') ? String(k.value) : undefined;
}

export function findVariable(scope: Scope.Scope | null, name: string): Scope.Variable | undefined {
  for (let s = scope; s; s = s.upper) {
    const v = s.set.get(name);
    if (v) return v;
  }
  return undefined;
}

/**
 * A use of a const that cannot change what it holds: spread, put into an object or array, passed to JSON.stringify
 * or a call this plugin reads, or read through a member (`body.model`) that is not assigned, deleted, updated or
 * called (a method such as `push` may change it).
 */
function isPlainRead(id: ESTree.Identifier & Rule.NodeParentExtension): boolean {
  let n: ESTree.Node & Rule.NodeParentExtension = id;
  while (n.parent.type === 'MemberExpression' && n.parent.object === n) n = n.parent;
  const parent = n.parent;
  if (n !== id) {
    if (parent.type === 'AssignmentExpression' && parent.left === n) return false;
    if (parent.type === 'UpdateExpression') return false;
    if (parent.type === 'UnaryExpression' && parent.operator === 'delete') return false;
    if (parent.type === 'CallExpression' && parent.callee === n) return false;
    return true;
  }
  switch (parent.type) {
    case 'SpreadElement':
    case 'ArrayExpression':
    case 'TemplateLiteral':
      return true;
    case 'Property':
      return parent.value === n;
    case 'CallExpression':
    case 'NewExpression':
      return isReadingCall(parent);
    default:
      // A type wrapper reads like the identifier itself; anything else (an alias, another call) may change it.
      return TS_WRAPPERS.has(parent.type) && isPlainRead(parent as unknown as ESTree.Identifier & Rule.NodeParentExtension);
  }
}

/** Calls that read their argument without changing it: JSON.stringify, SDK commands and create/stream/parse calls. */
function isReadingCall(call: ESTree.CallExpression | ESTree.NewExpression): boolean {
  const callee = call.callee;
  if (callee.type === 'Identifier') return /Command$/.test(callee.name);
  if (callee.type !== 'MemberExpression' || callee.property.type !== 'Identifier') return false;
  const name = callee.property.name;
  if (callee.object.type === 'Identifier' && callee.object.name === 'JSON') return name === 'stringify';
  return name === 'create' || name === 'stream' || name === 'parse' || name === 'send';
}

/** The JSON value of the known parts: unknown members left out, unknown array elements null (indices kept). */
export function toJson(s: Static): unknown {
  switch (s.kind) {
    case 'value':
      return s.value;
    case 'unknown':
      return null;
    case 'array':
      return s.elements.map(toJson);
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, m] of s.members) if (m.value.kind !== 'unknown') out[k] = toJson(m.value);
      return out;
    }
  }
}

/** Whether anything in the value is unknown (an unknown member, element, or an open object or array). */
export function hasUnknown(s: Static): boolean {
  switch (s.kind) {
    case 'value':
      return false;
    case 'unknown':
      return true;
    case 'array':
      return s.open || s.elements.some(hasUnknown);
    case 'object':
      if (s.open) return true;
      for (const m of s.members.values()) if (hasUnknown(m.value)) return true;
      return false;
  }
}

/** A known value from parsed JSON text (a literal string body): every part placed at the string's node. */
export function fromJson(v: unknown, node: ESTree.Node): Static {
  if (Array.isArray(v)) return { kind: 'array', elements: v.map((e) => fromJson(e, node)), open: false, node };
  if (v !== null && typeof v === 'object') {
    const members = new Map<string, Member>();
    for (const [k, e] of Object.entries(v)) members.set(k, { property: node, value: fromJson(e, node) });
    return { kind: 'object', members, open: false, node };
  }
  return isPrimitive(v) ? { kind: 'value', value: v, node } : { kind: 'unknown', node };
}
