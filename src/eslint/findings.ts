/**
 * Which findings of a check stand whatever the unknown parts of the source turn out to be. The check runs on the
 * known parts only; a finding is kept when everything it reads is known:
 * - a capability finding: its evidence (a capability in use stays in use whatever else the request holds: adding a
 *   capability never removes a finding), and the model when the cell can be settled by the model;
 * - a request-shape rule's finding: every pointer its test reads (present, absent, counted, compared);
 * - a model, Region or route finding: the model, the Region or the route;
 * - anything else (organisation rules, findings this file does not know): the whole request.
 * So an absent-key rule does not fire when an unknown spread or computed key could supply the key.
 */
import type { Finding, Knowledge, RequestTest } from '../types.js';
import { locate, pointerSegments, touchesUnknown } from './pointers.js';
import type { KnownParts } from './request.js';
import { hasUnknown } from './static.js';
import { elementTestFromRoot } from '../detect/request-tests.js';

const VALUE_TESTS = ['equals', 'oneOf', 'noneOf', 'startsWith', 'matches'] as const;

export function findingStands(f: Finding, known: KnownParts, k: Knowledge): boolean {
  const code = f.code;
  if (code.startsWith('region-')) return known.region;
  if (code.startsWith('route-')) return known.route;
  if (code === 'model-route-mismatch') return known.route && known.model;
  if (code === 'model-feature-unsupported') return known.model && evidenceKnown(f.path, known);
  if (code.startsWith('model-')) return known.model;
  if (code.startsWith('capability-')) return evidenceKnown(f.path, known) && (f.severity === 'error' || known.model);
  if (/^(api|operation|path)-/.test(code)) return true; // the URL path comes from the call's shape
  const rules = k.requestRules.filter((r) => r.code === code && r.subject === f.subject);
  if (rules.length === 0) return !hasUnknown(known.body) && known.model && known.region && known.route;
  return rules.every((r) => (r.routes === undefined || known.route) && (r.when === undefined || testKnown(r.when, known, k)));
}

/** The evidence of a capability: a known member or element of the body. */
function evidenceKnown(path: string | undefined, known: KnownParts): boolean {
  if (path === undefined || !path.startsWith('/body/')) return false;
  const at = locate(known.body, pointerSegments(path.slice('/body'.length)));
  return at.value !== undefined && at.value.kind !== 'unknown';
}

/** Whether everything a request-shape test reads is known. Headers are the SDK's: never known. */
function testKnown(t: RequestTest, known: KnownParts, k: Knowledge): boolean {
  const reads = (pointer: string, whole: boolean): boolean => !touchesUnknown(known.body, pointerSegments(pointer), whole);
  if (t.header !== undefined || t.headerAbsent !== undefined) return false;
  if (t.all !== undefined && !t.all.every((x) => testKnown(x, known, k))) return false;
  // A type test reads the whole value, as a value test does.
  if (t.body !== undefined && !reads(t.body, t.notType !== undefined || VALUE_TESTS.some((v) => t[v] !== undefined))) return false;
  if (t.any !== undefined && !t.any.every((x) => testKnown(x, known, k))) return false;
  if (t.absent !== undefined && !reads(t.absent, false)) return false;
  if (t.compare !== undefined && !(reads(t.compare.value, true) && reads(t.compare.atLeast, true))) return false;
  if (t.repeats !== undefined && !(reads(t.repeats.array, false) && reads(`${t.repeats.array}/*/${t.repeats.field}`, true))) return false;
  if (t.pairs !== undefined && !(reads(t.pairs.array, false) && reads(`${t.pairs.array}/*${t.pairs.ask}`, true) && reads(`${t.pairs.array}/*${t.pairs.answer}`, true))) return false;
  if (t.some !== undefined && !(reads(t.some.array, false) && testKnown(elementTestFromRoot(t.some), known, k))) return false;
  const listed = t.count ?? t.sequence ?? [];
  if (!listed.every((p) => reads(p, false) && (t.field === undefined || reads(`${p}/${t.field}`, true)))) return false;
  if (t.capability !== undefined) {
    const signals = k.capabilities.find((c) => c.id === t.capability)?.signals ?? [];
    return signals.every((s) => s.body !== undefined && reads(s.body, VALUE_TESTS.some((v) => s[v] !== undefined)));
  }
  return true;
}
