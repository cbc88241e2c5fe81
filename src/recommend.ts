/**
 * Recommends an endpoint for a set of needs (apis and capabilities) from the matrix cells, with reasons that
 * cite the cells. An endpoint with `no` for any need is out; among the rest, `yes` ranks above `conditional`
 * above `unknown`; ties go to the endpoint the caller prefers (e.g. the one a checked request already targets),
 * else to the seed's choice for new applications. Price is never a reason: it is the same on both endpoints.
 * For a checked request the recommendation agrees with the verdict: a valid request stays on its endpoint
 * (`stay`), and one with errors gets the endpoint where the fewest are left and the changes they ask for
 * (recommendForErrors).
 */
import { PreflightInputError } from './errors.js';
import { ENDPOINT_IDS } from './types.js';
import type { ApiId, Cell, CellValue, EndpointId, Finding, Knowledge, MatrixRow, Recommendation, RecommendedChange } from './types.js';

const RANK: Record<CellValue, number> = { no: 0, unknown: 1, conditional: 2, yes: 3 };

export interface EndpointAssessment {
  meetsAll: boolean;
  cells: Record<string, CellValue>;
}

export interface RecommendResult extends Recommendation {
  needs: string[];
  endpoints: Record<EndpointId, EndpointAssessment>;
}

export interface Recommender {
  /**
   * `prefer` breaks ties (e.g. the endpoint a checked request already targets); with `stay`, a preferred endpoint
   * that serves every need is chosen even when the other ranks higher.
   */
  recommend(needs: readonly string[], prefer?: EndpointId, stay?: boolean): RecommendResult;
  /** The reasons about the cells of `needs` when `chosen` is the endpoint to use. */
  cellReasons(needs: readonly string[], chosen: EndpointId): string[];
  /** The cell that decides a need on an endpoint, given the apis among the needs. */
  cellFor(need: string, endpoint: EndpointId, apis: readonly ApiId[]): { cell: Cell; row: MatrixRow };
}

export function compileRecommender(k: Knowledge): Recommender {
  const apiIds = new Set<string>(k.apis.map((a) => a.id));
  const capIds = new Set(k.capabilities.map((c) => c.id));
  const general = new Map<string, MatrixRow>();
  const limited = new Map<string, MatrixRow>();
  const rowsOf = new Map<string, MatrixRow[]>();
  for (const row of k.matrix) {
    if (row.kind === 'other') continue;
    if (row.api) {
      limited.set(`${row.id}|${row.api}`, row);
      rowsOf.set(row.id, [...(rowsOf.get(row.id) ?? []), row]);
    } else general.set(row.id, row);
  }
  const titles = new Map(k.tables.map((t) => [t.id, t.title]));
  const g = k.guidance;
  const cache = new Map<string, RecommendResult>();

  function cellFor(need: string, endpoint: EndpointId, apis: readonly ApiId[]): { cell: Cell; row: MatrixRow } {
    if (apis.length === 0) return bestOverApis(need, endpoint);
    let worst: { cell: Cell; row: MatrixRow } | undefined;
    for (const api of apis) {
      const row = limited.get(`${need}|${api}`);
      if (!row) continue;
      const cell = row.cells[endpoint];
      if (!worst || RANK[cell.value] < RANK[worst.cell.value]) worst = { cell, row };
    }
    const row = general.get(need)!;
    // The general row covers the apis without a row of their own.
    if (apis.some((a) => !limited.has(`${need}|${a}`))) {
      const cell = row.cells[endpoint];
      if (!worst || RANK[cell.value] < RANK[worst.cell.value]) worst = { cell, row };
    }
    return worst ?? { cell: row.cells[endpoint], row };
  }

  /** Without an api among the needs, a capability is as good on an endpoint as its best row there (some api can serve it). */
  function bestOverApis(need: string, endpoint: EndpointId): { cell: Cell; row: MatrixRow } {
    const row0 = general.get(need)!;
    let best = { cell: row0.cells[endpoint], row: row0 };
    for (const row of rowsOf.get(need) ?? []) if (RANK[row.cells[endpoint].value] > RANK[best.cell.value]) best = { cell: row.cells[endpoint], row };
    return best;
  }

  const cite = (row: MatrixRow, cell: Cell): string => `${titles.get(row.table) ?? row.table}; ${cell.source}, as of ${cell.asOf}`;

  /** Why the other endpoint is out or ranks lower, and what is less than certain on the chosen one. */
  function cellReasons(needs: readonly string[], apis: readonly ApiId[], chosen: EndpointId, endpoints: Record<EndpointId, EndpointAssessment>): string[] {
    const other = ENDPOINT_IDS.find((e) => e !== chosen)!;
    const reasons: string[] = [];
    for (const n of needs) {
      const vo = endpoints[other].cells[n]!;
      const vc = endpoints[chosen].cells[n]!;
      if (vo === 'no' || RANK[vo] < RANK[vc]) {
        const { cell, row } = cellFor(n, other, apis);
        const why = vo === 'no' ? `${other} does not support it` : `${vo} on ${other}${cell.condition ? ` (${cell.condition})` : ''}`;
        reasons.push(`${n}: ${why}; ${vc} on ${chosen} (${cite(row, cell)}).`);
      } else if (vc !== 'yes') {
        const { cell, row } = cellFor(n, chosen, apis);
        const better = RANK[vo] > RANK[vc] ? `; ${vo} on ${other}` : '';
        reasons.push(`${n}: ${vc} on ${chosen}${cell.condition ? ` (${cell.condition})` : ''}${better} (${cite(row, cell)}).`);
      }
    }
    return reasons;
  }

  /**
   * The seed's "when to choose" lines for the chosen endpoint that fit the needs: a line that names apis is about
   * those apis only, and a line that names capabilities needs one of them (so a Messages request is never told
   * about bringing OpenAI SDK code over).
   */
  function guidanceReasons(needs: readonly string[], chosen: EndpointId): string[] {
    const p = g.prefer[chosen];
    if (!p) return [];
    const fits = (ids: readonly string[]): boolean => ids.length === 0 || ids.some((n) => needs.includes(n));
    return p.when
      .filter((w) => w.needs.length > 0 && fits(w.needs.filter((n) => apiIds.has(n))) && fits(w.needs.filter((n) => !apiIds.has(n))))
      .map((w) => `Seed guidance for ${chosen}: ${w.text} [${p.source}, as of ${p.asOf}]`);
  }

  /** No single endpoint meets every need: which need goes where, and why each endpoint is out. */
  function splitRecommendation(needs: string[], apis: readonly ApiId[], endpoints: Record<EndpointId, EndpointAssessment>, tieTo: EndpointId): RecommendResult {
    const split: Record<string, EndpointId | null> = {};
    for (const n of needs) {
      let best: EndpointId | null = null;
      for (const e of ENDPOINT_IDS) {
        const v = RANK[endpoints[e].cells[n]!];
        if (v === RANK.no) continue;
        if (best === null || v > RANK[endpoints[best].cells[n]!] || (v === RANK[endpoints[best].cells[n]!] && e === tieTo)) best = e;
      }
      split[n] = best;
    }
    const reasons = ['No single endpoint supports every need.'];
    for (const e of ENDPOINT_IDS) {
      for (const n of needs) {
        if (endpoints[e].cells[n] !== 'no') continue;
        const { cell, row } = cellFor(n, e, apis);
        const to = split[n];
        reasons.push(`${n}: ${e} does not support it (${cite(row, cell)})${to ? `; use ${to}` : ''}.`);
      }
    }
    const nowhere = needs.filter((n) => split[n] === null);
    if (nowhere.length > 0) reasons.push(`Neither endpoint supports: ${nowhere.join(', ')}.`);
    reasons.push(`${g.together.text} [${g.together.source}, as of ${g.together.asOf}]`);
    return { endpoint: null, reasons, split, needs, endpoints };
  }

  function compute(needs: string[], prefer: EndpointId | undefined, stay: boolean): RecommendResult {
    const apis = needs.filter((n) => apiIds.has(n)) as ApiId[];
    const endpoints = {} as Record<EndpointId, EndpointAssessment>;
    const score = {} as Record<EndpointId, [number, number]>;
    for (const e of ENDPOINT_IDS) {
      const cells: Record<string, CellValue> = {};
      let worst = RANK.yes;
      let notYes = 0;
      for (const n of needs) {
        const v = cellFor(n, e, apis).cell.value;
        cells[n] = v;
        worst = Math.min(worst, RANK[v]);
        if (v !== 'yes') notYes++;
      }
      endpoints[e] = { meetsAll: worst > RANK.no, cells };
      score[e] = [worst, -notYes];
    }
    const eligible = ENDPOINT_IDS.filter((e) => endpoints[e].meetsAll);
    const reasons: string[] = [];
    const newApps = g.newApplications.endpoint;

    if (needs.length === 0) {
      reasons.push(`No needs were given. ${g.newApplications.why} [${g.newApplications.source}, as of ${g.newApplications.asOf}]`);
      return { endpoint: prefer ?? newApps, reasons, needs, endpoints };
    }

    if (eligible.length === 0) return splitRecommendation(needs, apis, endpoints, prefer ?? newApps);

    let chosen = eligible[0]!;
    for (const e of eligible.slice(1)) {
      const [a, b] = [score[e], score[chosen]];
      if (a[0] > b[0] || (a[0] === b[0] && a[1] > b[1])) chosen = e;
    }
    const best = chosen;
    const tied = eligible.filter((e) => score[e][0] === score[chosen][0] && score[e][1] === score[chosen][1]);
    if (tied.length > 1) chosen = prefer && tied.includes(prefer) ? prefer : tied.includes(newApps) ? newApps : chosen;
    // A request already sent to an endpoint that serves every need stays there: a conditional or unknown cell is
    // a reason to check, not to move.
    if (stay && prefer !== undefined && eligible.includes(prefer)) chosen = prefer;
    const other = ENDPOINT_IDS.find((e) => e !== chosen)!;

    reasons.push(...cellReasons(needs, apis, chosen, endpoints));
    if (tied.length > 1 && tied.includes(chosen)) {
      if (prefer && chosen === prefer) reasons.push(`Both endpoints meet every need; the request already targets ${chosen}.`);
      else reasons.push(`Both endpoints meet every need equally. ${g.newApplications.why} [${g.newApplications.source}, as of ${g.newApplications.asOf}]`);
    } else if (chosen !== best) {
      reasons.push(`The request already targets ${chosen}, which serves every need; ${best} ranks higher only where ${chosen}'s cells above are not a plain yes.`);
    } else if (eligible.length > 1) {
      reasons.push(`${chosen} supports every need at least as well as ${other}, and some better.`);
    }
    reasons.push(...guidanceReasons(needs, chosen));
    return { endpoint: chosen, reasons, needs, endpoints };
  }

  function recommend(needsIn: readonly string[], prefer?: EndpointId, stay = false): RecommendResult {
    const needs: string[] = [];
    for (const n of needsIn) {
      if (!apiIds.has(n) && !capIds.has(n)) {
        throw new PreflightInputError('E_UNKNOWN_ID', `unknown need "${n}": expected an api (${[...apiIds].join(', ')}) or a capability (${[...capIds].join(', ')})`);
      }
      if (!needs.includes(n)) needs.push(n);
    }
    const key = `${prefer ?? ''}|${stay}|${needs.join(',')}`;
    let r = cache.get(key);
    if (r === undefined) {
      r = deepFreeze(compute(needs, prefer, stay));
      if (cache.size > 4096) cache.clear();
      cache.set(key, r);
    }
    return r;
  }

  return {
    cellFor,
    recommend,
    cellReasons(needs, chosen) {
      const r = recommend(needs, chosen, true);
      return cellReasons(r.needs, r.needs.filter((n) => apiIds.has(n)) as ApiId[], chosen, r.endpoints);
    },
  };
}

/** The change an error finding asks for: its fix, or correcting what it points at. */
function changeOf(f: Finding): RecommendedChange {
  const c: RecommendedChange = { code: f.code, subject: f.subject, change: f.fix ?? f.message };
  if (f.path !== undefined) c.path = f.path;
  return c;
}

const describeErrors = (fs: readonly Finding[]): string =>
  fs.length === 0 ? 'no error finding' : `${fs.length} error finding${fs.length === 1 ? '' : 's'} (${fs.map((f) => `${f.code} ${f.subject}`).join(', ')})`;

/**
 * The recommendation for a request with error findings, so that it agrees with the verdict: the endpoint where
 * the fewest errors are left (on a tie, the one the cells favour, else the request's own), and the change each
 * error left there asks for. `errors` are the error findings of the same request on each endpoint. When no single
 * endpoint meets every need, the endpoint is null and the split says which need goes where.
 */
export function recommendForErrors(rec: Recommender, needs: readonly string[], own: EndpointId, errors: Record<EndpointId, readonly Finding[]>): Recommendation {
  const other = ENDPOINT_IDS.find((e) => e !== own)!;
  const byCells = rec.recommend(needs, own, true);
  const [mine, theirs] = [errors[own].length, errors[other].length];
  const target = theirs < mine || (theirs === mine && byCells.endpoint === other) ? other : own;
  const changes = errors[target].map(changeOf);
  const reasons = [`Not valid on ${own} as sent: ${describeErrors(errors[own])}.`];
  if (target !== own) {
    reasons.push(`On ${target} the same request has ${describeErrors(errors[target])}.`);
    reasons.push(`Or, to stay on ${own}: ${errors[own].map((f) => changeOf(f).change).join(' ')}`);
  }
  else reasons.push(`Sending it to ${other} does not help: it would have ${describeErrors(errors[other])} there.`);
  for (const c of changes) reasons.push(`Change ${c.subject}${c.path !== undefined ? ` at ${c.path}` : ''}: ${c.change}`);
  if (byCells.endpoint === null) {
    const out: Recommendation = { endpoint: null, reasons: [...reasons, ...byCells.reasons], changes };
    if (byCells.split) out.split = byCells.split;
    return out;
  }
  reasons.push(...rec.cellReasons(needs, target));
  return changes.length > 0 ? { endpoint: target, reasons, changes } : { endpoint: target, reasons };
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}
