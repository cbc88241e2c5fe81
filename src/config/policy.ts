/**
 * The policy half of a configuration: which organisation rules apply to a file, and what its ignores and severity
 * overrides do to the findings. Ignored findings and findings whose severity is turned `off` are returned as
 * suppressed, with the reason and where it is declared: never dropped.
 */
import { createPreflight, type Preflight } from '../preflight.js';
import type { CheckOptions, CheckReport, EndpointId, Finding, Severity } from '../types.js';
import { globMatches, pathForGlobs } from './glob.js';
import type { ApplyPolicy, ResolvedConfig, SuppressedFinding } from './types.js';

const ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** A check report under a configuration: findings after the policy, the suppressed ones, `valid` recomputed. */
export interface PolicyCheckReport extends CheckReport {
  suppressed: SuppressedFinding[];
}

/**
 * Applies the ignores and severity overrides of `config` to the findings of one file (a path as given, relative
 * to `config.cwd`, or absolute; undefined or '-' for stdin). The first matching ignore wins over any severity
 * override; among severity overrides the first match wins.
 */
export function applyPolicy(config: ResolvedConfig, findings: readonly Finding[], file: string | undefined): { findings: Finding[]; suppressed: SuppressedFinding[] } {
  const path = pathForGlobs(file ?? '-', config.root, config.cwd);
  const ignores = config.ignores.filter((g) => globMatches(g.path, path));
  const kept: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  for (const original of findings) {
    let f: Finding = original;
    // Organisation rules without a source have an empty one in the compiled rules: not shown.
    if (f.source === '') {
      f = { ...f };
      delete f.source;
    }
    const ignore = ignores.find((g) => (g.subject === f.subject || g.subject === '*') && (g.code === undefined || g.code === f.code));
    if (ignore) {
      suppressed.push({ ...f, suppressed: { reason: ignore.reason, by: ignore.by ?? config.file ?? 'configuration' } });
      continue;
    }
    const o = config.severity.find((s) => (s.code === undefined || s.code === f.code) && (s.subject === undefined || s.subject === f.subject));
    if (o) {
      const by = o.by ?? config.file ?? 'configuration';
      if (o.severity === 'off') {
        suppressed.push({ ...f, suppressed: { reason: o.reason ?? `severity of ${f.code} for ${f.subject} is off`, by } });
        continue;
      }
      if (o.severity !== f.severity) f = { ...f, severity: o.severity };
    }
    kept.push(f);
  }
  kept.sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
  return { findings: kept, suppressed };
}

/** `applyPolicy` bound to one configuration. */
export const policyOf =
  (config: ResolvedConfig): ApplyPolicy =>
  (findings, file) =>
    applyPolicy(config, findings, file);

const preflights = new WeakMap<ResolvedConfig, Map<string, Preflight>>();

/**
 * The preflight for a file under a configuration: the configuration's knowledge plus the organisation rules whose
 * `files` globs match the file. Compiled once per distinct set of rules.
 */
export function preflightFor(config: ResolvedConfig, file: string | undefined): Preflight {
  const path = pathForGlobs(file ?? '-', config.root, config.cwd);
  const scoped = config.rules.filter((r) => r.files !== undefined && r.files.some((g) => globMatches(g, path)));
  const key = scoped.map((r) => r.id).join('\n');
  let cache = preflights.get(config);
  if (cache === undefined) preflights.set(config, (cache = new Map()));
  let p = cache.get(key);
  if (p === undefined) {
    const k = config.knowledge;
    p = createPreflight({ knowledge: scoped.length === 0 ? k : { ...k, rules: [...k.rules, ...scoped.flatMap((r) => r.compiled)] } });
    cache.set(key, p);
  }
  return p;
}

/** The report of a check under a configuration, as `check --config --format json` prints it. */
export function checkWithConfig(config: ResolvedConfig, input: unknown, options: CheckOptions | undefined, file: string | undefined): PolicyCheckReport {
  return applyPolicyToReport(config, preflightFor(config, file).check(input, options), file);
}

/** A check report with the policy applied: remaining findings, `suppressed`, and `valid` recomputed from them. */
export function applyPolicyToReport(config: ResolvedConfig, report: CheckReport, file: string | undefined): PolicyCheckReport {
  const { findings, suppressed } = applyPolicy(config, report.findings, file);
  return { ...report, valid: !findings.some((f) => f.severity === 'error'), findings, suppressed };
}

/** For lint: the endpoint the configuration maps a request file to (the first matching `endpoints` entry), if any. */
export function endpointFor(config: ResolvedConfig, file: string): EndpointId | undefined {
  const path = pathForGlobs(file, config.root, config.cwd);
  return config.endpoints.find((m) => globMatches(m.glob, path))?.endpoint;
}
