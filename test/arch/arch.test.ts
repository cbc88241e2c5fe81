/**
 * `arch`: workloads against the matrix on their chosen endpoint, with models and Regions; text, md, json and html
 * outputs; the configuration's overrides, organisation rules and ignores; ids outside the fixed lists are exit 2
 * with file:line:column. The CLI runs through the built dist/cli.cjs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkArchitecture, type ArchReport } from '../../src/arch/check.js';
import { loadArchitecture } from '../../src/arch/load.js';
import { formatArchText } from '../../src/arch/text.js';
import { loadConfig } from '../../src/config/index.js';
import { formatArchHtml } from '../../src/format/arch-html.js';
import { formatArchMarkdown } from '../../src/format/arch-md.js';
import { thrown } from '../helpers/files.js';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'dist', 'cli.cjs');
const example = 'examples/arch/architecture.yaml';
const tmp = mkdtempSync(join(tmpdir(), 'bp-arch-'));

function file(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

function run(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', input, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const exampleReport = (): ArchReport => {
  const { file: name, architecture } = loadArchitecture(example, { cwd: root });
  return checkArchitecture(architecture, { file: name });
};

describe('checkArchitecture on the example', () => {
  const r = exampleReport();

  it('gives each workload ok or failing, and one of the five fails', () => {
    expect(r.workloads.map((w) => [w.name, w.endpoint, w.ok])).toEqual([
      ['Support assistant', 'bedrock-runtime', true],
      ['Research agent', 'bedrock-mantle', true],
      ['Document summariser', 'bedrock-mantle', true],
      ['Claims intake', 'bedrock-mantle', false],
      ['Batch classification', 'bedrock-runtime', true],
    ]);
    expect(r).toMatchObject({ file: example, ok: false, config: null, summary: { workloads: 5, ok: 4, failing: 1 } });
  });

  it('lists the reasons of the failing workload: cells that are no on its endpoint and a Region without it', () => {
    const claims = r.workloads[3]!;
    expect(claims.needs.map((n) => [n.id, n.cell])).toEqual([
      ['chat-completions', 'yes'],
      ['guardrails', 'no'],
      ['request-metadata-tagging', 'no'],
      ['client-side-tools', 'yes'],
    ]);
    expect(claims.regions).toEqual([
      { id: 'us-east-1', label: 'US East (N. Virginia)', cell: 'yes' },
      { id: 'ca-central-1', label: 'Canada (Central)', cell: 'no' },
    ]);
    expect(claims.reasons.map((f) => `${f.severity} ${f.code} ${f.subject}`).sort()).toEqual([
      'error capability-unsupported guardrails',
      'error capability-unsupported request-metadata-tagging',
      'error region-unsupported region',
    ]);
    expect(claims.reasons.find((f) => f.code === 'region-unsupported')!.message).toContain('ca-central-1');
    expect(claims.reasons.every((f) => f.path === undefined)).toBe(true);
    expect(claims.recommendation.endpoint).toBe('bedrock-runtime');
  });

  it('gives conditional cells as warnings that do not fail a workload, and the recommendation', () => {
    const summariser = r.workloads[2]!;
    expect(summariser.ok).toBe(true);
    expect(summariser.needs.find((n) => n.id === 'prompt-caching')).toMatchObject({ cell: 'conditional', condition: expect.stringContaining('depends on the model') });
    expect(summariser.reasons.map((f) => `${f.severity} ${f.code}`)).toEqual(['warning capability-conditional']);
    expect(r.workloads[0]!.recommendation.endpoint).toBe('bedrock-runtime');
  });

  it('has the grid columns in knowledge order (apis first) and the sources of what it shows', () => {
    expect(r.needs.slice(0, 5).map((n) => n.kind)).toEqual(['api', 'api', 'api', 'api', 'api']);
    expect(r.needs.map((n) => n.id)).toContain('iam-principal-attribution');
    expect(r.sources.map((s) => s.source)).toContain('https://docs.aws.amazon.com/bedrock/latest/userguide/endpoints.html');
    expect(r.sources.map((s) => s.source)).toContain('https://docs.aws.amazon.com/bedrock/latest/userguide/endpoints-region-availability.html');
  });

  it('reports models an endpoint does not serve (through the needed apis) and unknown models and Regions', () => {
    const rep = checkArchitecture({
      workloads: [
        { name: 'claude over chat', endpoint: 'mantle', needs: ['chat-completions'], models: ['anthropic.claude-haiku-4-5', 'acme.unknown-model-v1'], regions: ['xx-moon-1'] },
      ],
    });
    const w = rep.workloads[0]!;
    expect(w.endpoint).toBe('bedrock-mantle');
    expect(w.models.map((m) => [m.id, m.cell])).toEqual([
      ['anthropic.claude-haiku-4-5', 'no'],
      ['acme.unknown-model-v1', 'unknown'],
    ]);
    expect(w.regions).toEqual([{ id: 'xx-moon-1', label: null, cell: 'unknown' }]);
    expect(w.reasons.map((f) => `${f.severity} ${f.code}`)).toEqual(expect.arrayContaining(['warning model-api-unsupported', 'info model-unknown', 'warning region-unknown']));
  });
});

describe('architecture files: invalid input is exit 2 with file:line:column', () => {
  it('an unknown need (E_UNKNOWN_ID) and schema problems', () => {
    const f = file('bad.yaml', 'workloads:\n  - name: a\n    endpoint: bedrock-runtime\n    needs: [converse, guardrail]\n  - name: a\n    endpoint: runtime\n    needs: []\n');
    const e = thrown(() => loadArchitecture(f, { cwd: tmp }));
    expect(e.code).toBe('E_UNKNOWN_ID');
    expect(e.oneLine.split('\n')).toEqual([expect.stringMatching(/^bad\.yaml:4:23: unknown need "guardrail": expected an api/), 'bad.yaml:5:5: duplicate workload name "a" (at /workloads/1/name)']);
    const s = file('schema.json', '{\n  "workloads": [\n    { "name": "x", "endpoint": "bedrock-moon", "needs": [] }\n  ]\n}\n');
    expect(thrown(() => loadArchitecture(s, { cwd: tmp })).oneLine).toBe(
      'schema.json:3:20: must be one of: bedrock-runtime, bedrock-mantle, runtime, mantle (at /workloads/0/endpoint)',
    );
    expect(thrown(() => checkArchitecture({ workloads: [{ name: 'x', endpoint: 'moon', needs: [] }] })).code).toBe('E_UNKNOWN_ENDPOINT');
  });
});

describe('arch under a configuration', () => {
  const config = loadConfig('examples/policy/.bedrock-preflight.yaml', { cwd: root });
  const arch = {
    workloads: [
      { name: 'chat widget', path: 'customer-facing/widget', endpoint: 'bedrock-runtime', needs: ['converse', 'sigv4-auth'] },
      { name: 'nightly batch', path: 'legacy/nightly', endpoint: 'bedrock-mantle', needs: ['chat-completions', 'api-key-auth'] },
      { name: 'planner', path: 'internal/planner', endpoint: 'bedrock-runtime', needs: ['responses'] },
    ],
  };
  const r = checkArchitecture(arch, { config, file: 'arch.yaml' });

  it('applies organisation rules by workload path, ignores with their reason, and cell overrides', () => {
    expect(r.config).toBe('examples/policy/.bedrock-preflight.yaml');
    const [widget, nightly, planner] = r.workloads;
    expect(widget!.ok).toBe(false);
    expect(widget!.reasons.map((f) => `${f.severity} ${f.code} ${f.subject}`)).toEqual(['error policy-capability-required guardrails']);
    expect(nightly!.ok).toBe(true);
    expect(nightly!.suppressed).toEqual([expect.objectContaining({ code: 'policy-capability-forbidden', suppressed: expect.objectContaining({ reason: expect.stringContaining('PLAT-1875') }) })]);
    expect(planner!.ok).toBe(true);
    expect(planner!.needs[0]).toMatchObject({ id: 'responses', cell: 'conditional' });
    expect(planner!.reasons.map((f) => f.code)).toEqual(['api-conditional']);
    // Without the configuration the planner fails on the seed's no.
    expect(checkArchitecture(arch).workloads[2]!.ok).toBe(false);
  });
});

describe('formats', () => {
  const r = exampleReport();

  it('text: one block per workload, the failing one with its reasons and the recommendation, and a summary', () => {
    const t = formatArchText(r, { color: false });
    expect(t).toContain('✖ Claims intake  bedrock-mantle  customer-facing/claims-intake  failing\n');
    expect(t).toContain('    needs   ✔ chat-completions  ✖ guardrails  ✖ request-metadata-tagging  ✔ client-side-tools\n');
    expect(t).toContain('    → recommended endpoint: bedrock-runtime');
    expect(t.trimEnd().split('\n').at(-1)).toBe('✖ 5 workloads: 4 ok, 1 failing');
  });

  it('md: a grid of workloads × needs, then the reasons', () => {
    const md = formatArchMarkdown(r);
    const rows = md.split('\n').filter((l) => l.startsWith('| '));
    expect(rows).toHaveLength(2 + 5);
    expect(rows[0]).toContain('| Workload | Endpoint | `invoke-model` |');
    expect(rows.find((l) => l.startsWith('| Claims intake'))).toContain('❌ no');
    expect(md).toContain('## ❌ Claims intake — `bedrock-mantle` (failing)');
    expect(md).toContain('Recommendation: **`bedrock-runtime`** instead of `bedrock-mantle`.');
  });

  it('html: one self-contained page (no scripts, no external resources) with every user string escaped', () => {
    const html = formatArchHtml(
      checkArchitecture({ title: '<script>alert(1)</script>', workloads: [{ name: 'a & <b>', endpoint: 'runtime', needs: ['converse'], notes: '"quoted" \'x\'' }] }),
    );
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('a &amp; &lt;b&gt;');
    expect(html.match(/(?:src|href)="(?!#|https:)/g)).toBeNull();
  });
});

describe('bedrock-preflight arch (CLI)', () => {
  beforeAll(() => {
    if (!existsSync(bin)) throw new Error('dist/cli.cjs is missing: run "npx tsup" (npm test builds it)');
  });

  it('exit 1 when a workload fails, in every format; json is one document', () => {
    for (const format of ['text', 'md', 'html']) {
      const r = run(['arch', example, '--format', format, '--no-config']);
      expect([r.code, r.stderr]).toEqual([1, '']);
      expect(r.stdout).toContain('Claims intake');
    }
    const j = run(['arch', example, '--format', 'json']);
    expect(j.code).toBe(1);
    const doc = JSON.parse(j.stdout) as ArchReport;
    expect(doc.summary).toEqual({ workloads: 5, ok: 4, failing: 1 });
    expect(doc.workloads.find((w) => !w.ok)!.name).toBe('Claims intake');
  });

  it('reads the file from stdin with -', () => {
    const r = run(['arch', '-', '--format', 'json'], JSON.stringify({ workloads: [{ name: 'w', endpoint: 'mantle', needs: ['responses', 'async-inference'] }] }));
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(r.stdout)).toMatchObject({ file: '<stdin>', ok: true });
    const bad = run(['arch', '-'], 'workloads:\n  - name: w\n    endpoint: mantle\n    needs: [nope]\n');
    expect(bad.stderr).toMatch(/^bedrock-preflight: <stdin>:4:13: unknown need "nope"/);
  });

  it('exit 0 when every workload is ok; --config applies a configuration', () => {
    const ok = file('ok.yaml', 'workloads:\n  - name: planner\n    path: internal/planner\n    endpoint: runtime\n    needs: [responses]\n');
    expect(run(['arch', ok]).code).toBe(1);
    const r = run(['arch', ok, '--config', 'examples/policy/.bedrock-preflight.yaml', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, config: 'examples/policy/.bedrock-preflight.yaml' });
  });

  it('exit 2 with file:line:column for an unknown need, an invalid config, or a bad --format', () => {
    const bad = file('bad-need.yaml', 'workloads:\n  - name: a\n    endpoint: mantle\n    needs: [responses, telepathy]\n');
    const r = run(['arch', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^bedrock-preflight: .*bad-need\.yaml:4:24: unknown need "telepathy"/);
    const badConfig = file('bad-config.yaml', 'ignores:\n  - path: x\n');
    const c = run(['arch', example, '--config', badConfig]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/bad-config\.yaml:2:5: missing required key "subject" \(at \/ignores\/0\)/);
    expect(run(['arch', example, '--format', 'sarif']).code).toBe(2);
    expect(run(['arch']).code).toBe(2);
  });
});
