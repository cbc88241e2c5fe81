/**
 * check: detect → evaluate → findings → recommendation → report. Everything here is compiled once per knowledge
 * (compileChecker) and then runs synchronously per request.
 */
import type { Detector } from './detect/detect.js';
import type { Evaluator } from './compile/evaluator.js';
import type { Recommender } from './recommend.js';
import { redact, redactRepeated } from './redact.js';
import type { CheckOptions, CheckReport, Finding, FindingCode, Knowledge, Severity } from './types.js';
import { fillTemplate, renderMessage, type Slot } from './compile/template.js';

const ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export interface Checker {
  check(input: unknown, options?: CheckOptions): CheckReport;
}

export function compileChecker(k: Knowledge, detector: Detector, evaluator: Evaluator, recommender: Recommender): Checker {
  const templates = new Map(k.findings.map((f) => [f.code, f.template]));
  const apis = new Map(k.apis.map((a) => [a.id, a]));
  const template = (code: FindingCode): string => templates.get(code) ?? code;

  return {
    check(input, options) {
      const d = detector.detect(input, options);
      const { facts, evidence } = d;
      const findings: Finding[] = [];
      const events = evaluator.run(facts);
      let slots: Record<Slot, string> | undefined;
      for (let i = 0; i < events.length; i++) {
        const { finding: base, message } = events[i]!;
        let path: string | undefined;
        switch (base.pathFrom) {
          case 'api':
            path = d.apiPath;
            break;
          case 'capability':
            for (const e of evidence) if (e.id === base.subject) path = e.path;
            break;
          case 'model':
            path = d.modelPath;
            break;
          case 'region':
            path = d.isEnvelope && options?.region === undefined ? '/url' : undefined;
            break;
          case 'signal': {
            const ev = d.signalEvidence?.get(base.signal);
            path = ev === undefined ? d.apiPath : ev;
            break;
          }
        }
        slots ??= {
          where: '',
          model: facts.model === null ? '' : redactRepeated(facts.model),
          region: facts.region === null ? '' : redactRepeated(facts.region),
          api: facts.api ?? '',
        };
        slots.where = path !== undefined && path !== '' ? ` at ${path}` : '';
        const finding: Finding = {
          code: base.code,
          subject: base.subject,
          severity: base.severity,
          message: renderMessage(message, slots),
        };
        if (path !== undefined) finding.path = path;
        finding.source = base.source;
        if (base.fix !== undefined) finding.fix = base.fix;
        if (base.confidence !== undefined) finding.confidence = base.confidence;
        findings.push(finding);
      }

      // Findings about the detection itself.
      const src = d.apiSource;
      const other = d.otherOperation;
      if (other !== undefined) {
        if (!other.endpoints.includes(facts.endpoint)) {
          findings.push({
            code: 'operation-unsupported',
            subject: other.id,
            severity: 'error',
            message: fillTemplate(template('operation-unsupported'), { label: other.label, endpoints: other.endpoints.join(', '), endpoint: facts.endpoint, where: ' at /url' }),
            path: '/url',
            source: other.source,
          });
        }
        if (facts.api === null) {
          findings.push({
            code: 'operation-outside-matrix',
            subject: other.id,
            severity: 'info',
            message: fillTemplate(template('operation-outside-matrix'), { label: other.label, where: ' at /url' }),
            path: '/url',
            source: other.source,
          });
        }
      } else if (facts.api === null) {
        findings.push({
          code: 'api-undetermined',
          subject: 'api',
          severity: 'warning',
          message: fillTemplate(template('api-undetermined'), { where: d.isEnvelope ? ' (at /body)' : '' }),
          ...(d.isEnvelope ? { path: '/url' } : {}),
        });
      } else if (src.kind === 'shape') {
        const api = apis.get(facts.api)!;
        findings.push({
          code: 'api-inferred',
          subject: facts.api,
          severity: 'info',
          message: fillTemplate(template('api-inferred'), { label: api.label, why: src.why }),
          path: d.apiPath ?? '',
          source: api.source,
        });
      }
      if (d.unrecognizedPath !== undefined) {
        findings.push({
          code: 'path-unrecognized',
          subject: facts.api ?? 'api',
          severity: 'warning',
          message: fillTemplate(template('path-unrecognized'), {
            value: redact(d.unrecognizedPath),
            endpoint: facts.endpoint,
            how: src.kind === 'override' ? '--api' : src.kind === 'shape' ? "the body's shape" : 'nowhere',
          }),
          path: '/url',
        });
      }
      if (findings.length > 1) findings.sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
      let valid = true;
      for (const f of findings) if (f.severity === 'error') valid = false;

      const needs = facts.api === null ? facts.capabilities : [facts.api, ...facts.capabilities];
      const rec = recommender.recommend(needs, facts.endpoint);
      const recommendation: CheckReport['recommendation'] = rec.split ? { endpoint: rec.endpoint, reasons: rec.reasons, split: rec.split } : { endpoint: rec.endpoint, reasons: rec.reasons };
      return {
        endpoint: facts.endpoint,
        api: facts.api,
        model: facts.model === null ? null : redactRepeated(facts.model),
        region: facts.region === null ? null : redactRepeated(facts.region),
        valid,
        capabilities: evidence,
        findings,
        recommendation,
      };
    },
  };
}
