/**
 * JSON Pointers (RFC 6901) and the knowledge's pointer patterns (`*` for any array element or member, `-1` for an
 * array's last element) walked over
 * a statically read value: where a finding's pointer is in the source, and whether a pattern could read something
 * the source does not say for certain.
 */
import type * as ESTree from 'estree';
import type { Static } from './static.js';
import { hasUnknown } from './static.js';
import { LAST_SEGMENT } from '../detect/signals.js';

export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export interface Located {
  /** The node to report at: the property of the last member reached, or the value. */
  node: ESTree.Node;
  /** The value at the pointer; undefined when the pointer goes further than the known value. */
  value: Static | undefined;
}

/** The element a segment names in an array of `length` (`-1`: the last one); -1 for none. */
const index = (seg: string, length: number): number => (seg === LAST_SEGMENT ? length - 1 : /^(0|[1-9]\d*)$/.test(seg) ? Number(seg) : -1);

/** The deepest known place along `segs` (the enclosing object for a key that is not there). */
export function locate(root: Static, segs: readonly string[]): Located {
  let at: Located = { node: root.node, value: root };
  for (const seg of segs) {
    const v = at.value;
    if (v?.kind === 'object') {
      const m = v.members.get(seg);
      if (m === undefined) return { node: at.node, value: undefined };
      at = { node: m.property, value: m.value };
    } else if (v?.kind === 'array') {
      // The last element of an array the source does not show in full is not known.
      const e = seg === LAST_SEGMENT && v.open ? undefined : v.elements[index(seg, v.elements.length)];
      if (e === undefined) return { node: at.node, value: undefined };
      at = { node: e.node, value: e };
    } else return { node: at.node, value: undefined };
  }
  return at;
}

/**
 * Whether reading `segs` (a pattern: `*` is any element or member) could meet what the source does not say: an
 * unknown value on the way, or an open object or array where the step could reach a member it does not show.
 * `whole`: the value read must also be known in full (a test of its value, not only of its presence).
 */
export function touchesUnknown(s: Static, segs: readonly string[], whole: boolean, from = 0): boolean {
  if (s.kind === 'unknown') return true;
  if (from === segs.length) return whole && hasUnknown(s);
  const seg = segs[from]!;
  if (s.kind === 'object') {
    if (seg === '*') return s.open || [...s.members.values()].some((m) => touchesUnknown(m.value, segs, whole, from + 1));
    const m = s.members.get(seg);
    return m === undefined ? s.open : touchesUnknown(m.value, segs, whole, from + 1);
  }
  if (s.kind === 'array') {
    if (seg === '*') return s.open || s.elements.some((e) => touchesUnknown(e, segs, whole, from + 1));
    if (seg === LAST_SEGMENT && s.open) return true;
    const e = s.elements[index(seg, s.elements.length)];
    return e === undefined ? s.open : touchesUnknown(e, segs, whole, from + 1);
  }
  return false; // a primitive has no members: known to be absent
}
