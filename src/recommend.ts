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

/** The matrix indexed for recommending; built once per knowledge. */
interface RecommendContext {
  readonly apiIds: ReadonlySet<string>;
  readonly capIds: ReadonlySet<string>;
  /** The row of each need that covers every api. */
  readonly general: ReadonlyMap<string, MatrixRow>;
  /** The rows limited to one api, by `need|api`. */
  readonly limited: ReadonlyMap<string, MatrixRow>;
  /** Each need's api-limited rows. */
  readonly rowsOf: ReadonlyMap<string, MatrixRow[]>;
  readonly titles: ReadonlyMap<string, string>;
  readonly guidance: Knowledge['guidance'];
  /** Results by needs, preference and `stay`: the same few need sets come back for every checked request. */
  readonly cache: Map<string, RecommendResult>;
}

type CellAndRow = { cell: Cell; row: MatrixRow };

function recommendContext(k: Knowledge): RecommendContext {
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
  return {
    apiIds: new Set<string>(k.apis.map((a) => a.id)),
    capIds: new Set(k.capabilities.map((c) => c.id)),
    general,
    limited,
    rowsOf,
    titles: new Map(k.tables.map((t) => [t.id, t.title])),
    guidance: k.guidance,
    cache: new Map(),
  };
}

const apisAmong = (ctx: RecommendContext, needs: readonly string[]): ApiId[] => needs.filter((n) => ctx.apiIds.has(n)) as ApiId[];

function cellFor(ctx: RecommendContext, need: string, endpoint: EndpointId, apis: readonly ApiId[]): CellAndRow {
  if (apis.length === 0) return bestOverApis(ctx, need, endpoint);
  let worst: CellAndRow | undefined;
  for (const api of apis) {
    const row = ctx.limited.get(`${need}|${api}`);
    if (!row) continue;
    const cell = row.cells[endpoint];
    if (!worst || RANK[cell.value] < RANK[worst.cell.value]) worst = { cell, row };
  }
  const row = ctx.general.get(need)!;
  // The general row covers the apis without a row of their own.
  if (apis.some((a) => !ctx.limited.has(`${need}|${a}`))) {
    const cell = row.cells[endpoint];
    if (!worst || RANK[cell.value] < RANK[worst.cell.value]) worst = { cell, row };
  }
  return worst ?? { cell: row.cells[endpoint], row };
}

/** Without an api among the needs, a capability is as good on an endpoint as its best row there (some api can serve it). */
function bestOverApis(ctx: RecommendContext, need: string, endpoint: EndpointId): CellAndRow {
  const row0 = ctx.general.get(need)!;
  let best = { cell: row0.cells[endpoint], row: row0 };
  for (const row of ctx.rowsOf.get(need) ?? []) if (RANK[row.cells[endpoint].value] > RANK[best.cell.value]) best = { cell: row.cells[endpoint], row };
  return best;
}

const cite = (ctx: RecommendContext, row: MatrixRow, cell: Cell): string => `${ctx.titles.get(row.table) ?? row.table}; ${cell.source}, as of ${cell.asOf}`;

/** Why the other endpoint is out or ranks lower, and what is less than certain on the chosen one. */
function cellReasons(ctx: RecommendContext, needs: readonly string[], chosen: EndpointId, endpoints: Record<EndpointId, EndpointAssessment>): string[] {
  const apis = apisAmong(ctx, needs);
  const other = ENDPOINT_IDS.find((e) => e !== chosen)!;
  const reasons: string[] = [];
  for (const n of needs) {
    const vo = endpoints[other].cells[n]!;
    const vc = endpoints[chosen].cells[n]!;
    if (vo === 'no' || RANK[vo] < RANK[vc]) {
      const { cell, row } = cellFor(ctx, n, other, apis);
      const why = vo === 'no' ? `${other} does not support it` : `${vo} on ${other}${cell.condition ? ` (${cell.condition})` : ''}`;
      reasons.push(`${n}: ${why}; ${vc} on ${chosen} (${cite(ctx, row, cell)}).`);
    } else if (vc !== 'yes') {
      const { cell, row } = cellFor(ctx, n, chosen, apis);
      const better = RANK[vo] > RANK[vc] ? `; ${vo} on ${other}` : '';
      reasons.push(`${n}: ${vc} on ${chosen}${cell.condition ? ` (${cell.condition})` : ''}${better} (${cite(ctx, row, cell)}).`);
    }
  }
  return reasons;
}

/**
 * The seed's "when to choose" lines for the chosen endpoint that fit the needs: a line that names apis is about
 * those apis only, and a line that names capabilities needs one of them (so a Messages request is never told
 * about bringing OpenAI SDK code over).
 */
function guidanceReasons(ctx: RecommendContext, needs: readonly string[], chosen: EndpointId): string[] {
  const p = ctx.guidance.prefer[chosen];
  if (!p) return [];
  const fits = (ids: readonly string[]): boolean => ids.length === 0 || ids.some((n) => needs.includes(n));
  return p.when
    .filter((w) => w.needs.length > 0 && fits(w.needs.filter((n) => ctx.apiIds.has(n))) && fits(w.needs.filter((n) => !ctx.apiIds.has(n))))
    .map((w) => `Seed guidance for ${chosen}: ${w.text} [${p.source}, as of ${p.asOf}]`);
}

/** For each need, the endpoint that serves it best (ties to `tieTo`), or null where neither does. */
function splitNeeds(needs: readonly string[], endpoints: Record<EndpointId, EndpointAssessment>, tieTo: EndpointId): Record<string, EndpointId | null> {
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
  return split;
}

/** No single endpoint meets every need: which need goes where, and why each endpoint is out. */
function splitRecommendation(ctx: RecommendContext, needs: string[], endpoints: Record<EndpointId, EndpointAssessment>, tieTo: EndpointId): RecommendResult {
  const apis = apisAmong(ctx, needs);
  const split = splitNeeds(needs, endpoints, tieTo);
  const reasons = ['No single endpoint supports every need.'];
  for (const e of ENDPOINT_IDS) {
    for (const n of needs) {
      if (endpoints[e].cells[n] !== 'no') continue;
      const { cell, row } = cellFor(ctx, n, e, apis);
      const to = split[n];
      reasons.push(`${n}: ${e} does not support it (${cite(ctx, row, cell)})${to ? `; use ${to}` : ''}.`);
    }
  }
  const nowhere = needs.filter((n) => split[n] === null);
  if (nowhere.length > 0) reasons.push(`Neither endpoint supports: ${nowhere.join(', ')}.`);
  const { together } = ctx.guidance;
  reasons.push(`${together.text} [${together.source}, as of ${together.asOf}]`);
  return { endpoint: null, reasons, split, needs, endpoints };
}

interface Assessment {
  endpoints: Record<EndpointId, EndpointAssessment>;
  /** Per endpoint: its worst cell's rank, then minus the number of cells that are not a plain yes (higher is better). */
  score: Record<EndpointId, [number, number]>;
}

/** Every need's cell on every endpoint, and how each endpoint scores. */
function assessEndpoints(ctx: RecommendContext, needs: readonly string[]): Assessment {
  const apis = apisAmong(ctx, needs);
  const endpoints = {} as Record<EndpointId, EndpointAssessment>;
  const score = {} as Record<EndpointId, [number, number]>;
  for (const e of ENDPOINT_IDS) {
    const cells: Record<string, CellValue> = {};
    let worst = RANK.yes;
    let notYes = 0;
    for (const n of needs) {
      const v = cellFor(ctx, n, e, apis).cell.value;
      cells[n] = v;
      worst = Math.min(worst, RANK[v]);
      if (v !== 'yes') notYes++;
    }
    endpoints[e] = { meetsAll: worst > RANK.no, cells };
    score[e] = [worst, -notYes];
  }
  return { endpoints, score };
}

interface Choice {
  chosen: EndpointId;
  /** The endpoint the cells rank highest, before preference. */
  best: EndpointId;
  tied: EndpointId[];
}

/** Among the endpoints that meet every need, the one to use. */
function chooseEndpoint(score: Assessment['score'], eligible: readonly EndpointId[], prefer: EndpointId | undefined, stay: boolean, newApps: EndpointId): Choice {
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
  return { chosen, best, tied };
}

/** The sentence that says why the chosen endpoint won over the other. */
function choiceReason(ctx: RecommendContext, { chosen, best, tied }: Choice, eligible: readonly EndpointId[], prefer: EndpointId | undefined): string | undefined {
  const other = ENDPOINT_IDS.find((e) => e !== chosen)!;
  const na = ctx.guidance.newApplications;
  if (tied.length > 1 && tied.includes(chosen)) {
    if (prefer && chosen === prefer) return `Both endpoints meet every need; the request already targets ${chosen}.`;
    return `Both endpoints meet every need equally. ${na.why} [${na.source}, as of ${na.asOf}]`;
  }
  if (chosen !== best) return `The request already targets ${chosen}, which serves every need; ${best} ranks higher only where ${chosen}'s cells above are not a plain yes.`;
  if (eligible.length > 1) return `${chosen} supports every need at least as well as ${other}, and some better.`;
  return undefined;
}

function compute(ctx: RecommendContext, needs: string[], prefer: EndpointId | undefined, stay: boolean): RecommendResult {
  const { endpoints, score } = assessEndpoints(ctx, needs);
  const eligible = ENDPOINT_IDS.filter((e) => endpoints[e].meetsAll);
  const na = ctx.guidance.newApplications;
  if (needs.length === 0) {
    return { endpoint: prefer ?? na.endpoint, reasons: [`No needs were given. ${na.why} [${na.source}, as of ${na.asOf}]`], needs, endpoints };
  }
  if (eligible.length === 0) return splitRecommendation(ctx, needs, endpoints, prefer ?? na.endpoint);
  const choice = chooseEndpoint(score, eligible, prefer, stay, na.endpoint);
  const reasons = cellReasons(ctx, needs, choice.chosen, endpoints);
  const why = choiceReason(ctx, choice, eligible, prefer);
  if (why !== undefined) reasons.push(why);
  reasons.push(...guidanceReasons(ctx, needs, choice.chosen));
  return { endpoint: choice.chosen, reasons, needs, endpoints };
}

/** The needs without repeats, each checked to be an api or a capability. */
function knownNeeds(ctx: RecommendContext, needsIn: readonly string[]): string[] {
  const needs: string[] = [];
  for (const n of needsIn) {
    if (!ctx.apiIds.has(n) && !ctx.capIds.has(n)) {
      throw new PreflightInputError('E_UNKNOWN_ID', `unknown need "${n}": expected an api (${[...ctx.apiIds].join(', ')}) or a capability (${[...ctx.capIds].join(', ')})`);
    }
    if (!needs.includes(n)) needs.push(n);
  }
  return needs;
}

function recommend(ctx: RecommendContext, needsIn: readonly string[], prefer?: EndpointId, stay = false): RecommendResult {
  const needs = knownNeeds(ctx, needsIn);
  const key = `${prefer ?? ''}|${stay}|${needs.join(',')}`;
  let r = ctx.cache.get(key);
  if (r === undefined) {
    r = deepFreeze(compute(ctx, needs, prefer, stay));
    if (ctx.cache.size > 4096) ctx.cache.clear();
    ctx.cache.set(key, r);
  }
  return r;
}

export function compileRecommender(k: Knowledge): Recommender {
  const ctx = recommendContext(k);
  return {
    cellFor: (need, endpoint, apis) => cellFor(ctx, need, endpoint, apis),
    recommend: (needs, prefer, stay) => recommend(ctx, needs, prefer, stay),
    cellReasons(needs, chosen) {
      const r = recommend(ctx, needs, chosen, true);
      return cellReasons(ctx, r.needs, chosen, r.endpoints);
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
  // Each finding carries its own fix; the reasons say only where the request fares better, so that they never
  // contradict the recommended endpoint (a fix such as "send it to bedrock-runtime" is no way to stay on mantle).
  if (target !== own) reasons.push(`On ${target} the same request has ${describeErrors(errors[target])}.`);
  else reasons.push(`Sending it to ${other} does not help: it would have ${describeErrors(errors[other])} there.`);
  for (const c of changes) reasons.push(`Change ${c.subject}${c.path ? ` at ${c.path}` : ''}: ${c.change}`);
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
