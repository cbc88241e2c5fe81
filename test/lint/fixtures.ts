/**
 * A generator of request files for lint tests and the lint bench: JSON (pretty, minified, tab-indented with CRLF
 * and a BOM), YAML (block style, with comments) and JSON Lines, written by emitters of our own that record where
 * every key starts, so each expected line/column is known by construction, not by asking the parser under test.
 * Plus broken files (syntax errors, empty, binary, wrong shape, no endpoint) and files a walk must skip.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { random } from '../../scripts/gen-invocation-logs.js';

export interface Pos {
  line: number;
  column: number;
}

/** One emitted document: its value and, per JSON Pointer, where its key (or array element) and its value start. */
export interface EmittedDoc {
  value: Record<string, unknown>;
  keys: Map<string, Pos>;
  values: Map<string, Pos>;
}

const esc = (k: string): string => k.replace(/~/g, '~0').replace(/\//g, '~1');

/** Appends text and keeps the 1-based position of the next character (UTF-16 columns, like the project). */
class Writer {
  parts: string[] = [];
  line: number;
  column = 1;
  constructor(firstLine = 1) {
    this.line = firstLine;
  }
  get pos(): Pos {
    return { line: this.line, column: this.column };
  }
  text(s: string): void {
    this.parts.push(s);
    this.column += s.length;
  }
  eol(eol: string): void {
    this.parts.push(eol);
    this.line++;
    this.column = 1;
  }
  toString(): string {
    return this.parts.join('');
  }
}

export interface JsonStyle {
  /** '' for minified (one line). */
  indent: string;
  eol: '\n' | '\r\n';
}

export function emitJson(value: Record<string, unknown>, style: JsonStyle, firstLine = 1): { text: string; doc: EmittedDoc } {
  const w = new Writer(firstLine);
  const keys = new Map<string, Pos>();
  const values = new Map<string, Pos>();
  const pretty = style.indent !== '';
  const emit = (v: unknown, ptr: string, depth: number): void => {
    values.set(ptr, w.pos);
    if (v !== null && typeof v === 'object') {
      const isArray = Array.isArray(v);
      const entries: Array<[string, unknown]> = isArray ? (v as unknown[]).map((x, i) => [String(i), x]) : Object.entries(v);
      w.text(isArray ? '[' : '{');
      entries.forEach(([k, x], i) => {
        if (i > 0) w.text(',');
        if (pretty) {
          w.eol(style.eol);
          w.text(style.indent.repeat(depth + 1));
        }
        const child = `${ptr}/${esc(k)}`;
        keys.set(child, w.pos);
        if (!isArray) w.text(`${JSON.stringify(k)}:${pretty ? ' ' : ''}`);
        emit(x, child, depth + 1);
      });
      if (pretty && entries.length > 0) {
        w.eol(style.eol);
        w.text(style.indent.repeat(depth));
      }
      w.text(isArray ? ']' : '}');
    } else {
      w.text(JSON.stringify(v));
    }
  };
  emit(value, '', 0);
  return { text: w.toString(), doc: { value, keys, values } };
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const RESERVED = /^(true|false|null|yes|no|on|off|y|n)$/i;

/** Block-style YAML: keys plain where they can be (else double-quoted), strings double-quoted. */
export function emitYaml(root: Record<string, unknown>, eol: '\n' | '\r\n' = '\n', header: string[] = []): { text: string; doc: EmittedDoc } {
  const w = new Writer();
  for (const h of header) {
    w.text(h);
    w.eol(eol);
  }
  const keys = new Map<string, Pos>();
  const values = new Map<string, Pos>();
  const key = (k: string): string => (PLAIN_KEY.test(k) && !RESERVED.test(k) ? k : JSON.stringify(k));
  const scalar = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : v === null ? 'null' : String(v));
  const isBlock = (v: unknown): boolean => v !== null && typeof v === 'object' && Object.keys(v).length > 0;
  // Writes a map's members; the cursor is already where the first key goes.
  const map = (m: Record<string, unknown>, ptr: string, indent: number): void => {
    values.set(ptr, w.pos);
    Object.entries(m).forEach(([k, v], i) => {
      if (i > 0) {
        w.eol(eol);
        w.text(' '.repeat(indent));
      }
      const child = `${ptr}/${esc(k)}`;
      keys.set(child, w.pos);
      w.text(`${key(k)}:`);
      value(v, child, indent);
    });
  };
  // Writes the value after "key:" (block values go on the next lines, indented).
  const value = (v: unknown, ptr: string, indent: number): void => {
    if (!isBlock(v)) {
      w.text(' ');
      values.set(ptr, w.pos);
      w.text(Array.isArray(v) ? '[]' : v !== null && typeof v === 'object' ? '{}' : scalar(v));
      return;
    }
    w.eol(eol);
    w.text(' '.repeat(indent + 2));
    if (Array.isArray(v)) seq(v, ptr, indent + 2);
    else map(v as Record<string, unknown>, ptr, indent + 2);
  };
  const seq = (items: unknown[], ptr: string, indent: number): void => {
    values.set(ptr, w.pos);
    items.forEach((x, i) => {
      if (i > 0) {
        w.eol(eol);
        w.text(' '.repeat(indent));
      }
      w.text('- ');
      const child = `${ptr}/${i}`;
      keys.set(child, w.pos);
      if (isBlock(x) && !Array.isArray(x)) map(x as Record<string, unknown>, child, indent + 2);
      else if (isBlock(x)) throw new Error('emitYaml: a sequence directly in a sequence is not supported');
      else {
        values.set(child, w.pos);
        w.text(Array.isArray(x) ? '[]' : x !== null && typeof x === 'object' ? '{}' : scalar(x));
      }
    });
  };
  map(root, '', 0);
  w.eol(eol);
  return { text: w.toString(), doc: { value: root, keys, values } };
}

/**
 * Where lint must place a finding with this path: the key (or array element) it names; for '' or a missing key,
 * the start of the deepest existing enclosing value.
 */
export function expectedPosition(doc: EmittedDoc, path: string | undefined): Pos {
  if (path === undefined || path === '') return doc.values.get('')!;
  const key = doc.keys.get(path);
  if (key) return key;
  let p = path;
  while (p !== '') {
    p = p.slice(0, p.lastIndexOf('/'));
    const v = doc.values.get(p);
    if (v) return v;
  }
  return doc.values.get('')!;
}

// ---------------------------------------------------------------------------------------------------------------
// Requests

export interface Template {
  name: string;
  /** The endpoint a bare body needs (undefined for envelopes). */
  endpoint?: 'bedrock-runtime' | 'bedrock-mantle';
  /** An offending key every instance has, and the finding lint must report there. */
  planted?: { path: string; code: string; subject: string; severity: 'error' | 'warning' };
  /** True when the request has no error or warning finding on its endpoint. */
  clean?: boolean;
  make(r: () => number, i: number): Record<string, unknown>;
}

const pad = (r: () => number, i: number): Record<string, unknown> => {
  // Some harmless members before the interesting ones, so positions vary from file to file.
  const out: Record<string, unknown> = {};
  const n = Math.floor(r() * 3);
  for (let k = 0; k < n; k++) out[`x_note_${k}`] = `note ${i}-${k} ✓ 🚀`;
  return out;
};

export const TEMPLATES: Template[] = [
  {
    name: 'mantle-messages-structured-output',
    planted: { path: '/body/output_config/format', code: 'capability-unsupported', subject: 'structured-outputs', severity: 'error' },
    make: (r, i) => ({
      method: 'POST',
      url: 'https://bedrock-mantle.us-east-1.api.aws/anthropic/v1/messages',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', authorization: 'Bearer bedrock-api-key-c2FtcGxlLW5vdC1hLXJlYWwta2V5LWp1c3QtZm9yLWRvY3M=' },
      body: {
        model: 'anthropic.claude-haiku-4-5',
        max_tokens: 100 + i,
        messages: [{ role: 'user', content: `Extract the order number from message ${i}.` }],
        output_config: { ...pad(r, i), effort: 'low', format: { type: 'json_schema', schema: { type: 'object', properties: { order: { type: 'string' } } } } },
      },
    }),
  },
  {
    name: 'mantle-converse',
    planted: { path: '/url', code: 'api-unsupported', subject: 'converse', severity: 'error' },
    make: (r, i) => ({
      ...pad(r, i),
      url: 'https://bedrock-mantle.us-west-2.api.aws/model/anthropic.claude-haiku-4-5/converse',
      body: { messages: [{ role: 'user', content: [{ text: `hello ${i}` }] }] },
    }),
  },
  {
    name: 'mantle-chat-cross-region',
    planted: { path: '/body/model', code: 'capability-unsupported', subject: 'cross-region-inference', severity: 'error' },
    make: (r, i) => ({
      url: 'https://bedrock-mantle.us-east-1.api.aws/v1/chat/completions',
      body: { ...pad(r, i), model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', messages: [{ role: 'user', content: `question ${i}` }] },
    }),
  },
  {
    name: 'mantle-messages-cache-control',
    planted: { path: '/body/system/0/cache_control', code: 'capability-conditional', subject: 'prompt-caching', severity: 'warning' },
    make: (r, i) => ({
      url: 'https://bedrock-mantle.us-east-1.api.aws/anthropic/v1/messages',
      body: {
        model: 'anthropic.claude-haiku-4-5',
        max_tokens: 50,
        system: [{ type: 'text', text: `policy ${i}`, ...pad(r, i), cache_control: { type: 'ephemeral' } }],
        messages: [{ role: 'user', content: 'hi' }],
      },
    }),
  },
  {
    name: 'runtime-converse-clean',
    clean: true,
    make: (r, i) => ({
      url: 'https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-sonnet-4-5-20250929-v1:0/converse',
      headers: { 'content-type': 'application/json', authorization: 'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261124/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef' },
      body: { ...pad(r, i), messages: [{ role: 'user', content: [{ text: `hi ${i}` }] }], inferenceConfig: { maxTokens: 100 } },
    }),
  },
  {
    name: 'bare-responses-background',
    endpoint: 'bedrock-runtime',
    planted: { path: '/background', code: 'capability-unsupported', subject: 'async-inference', severity: 'error' },
    make: (r, i) => ({ model: 'openai.gpt-oss-120b', ...pad(r, i), background: true, input: `summarise report ${i}` }),
  },
  {
    name: 'bare-converse-guardrails',
    endpoint: 'bedrock-mantle',
    planted: { path: '/guardrailConfig', code: 'capability-unsupported', subject: 'guardrails', severity: 'error' },
    make: (r, i) => ({ modelId: 'anthropic.claude-haiku-4-5', messages: [{ role: 'user', content: [{ text: `q ${i}` }] }], ...pad(r, i), guardrailConfig: { guardrailIdentifier: 'g1', guardrailVersion: '1' } }),
  },
  {
    name: 'bare-invoke-clean',
    endpoint: 'bedrock-runtime',
    clean: true,
    make: (r, i) => ({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 10 + i, ...pad(r, i), messages: [{ role: 'user', content: 'hi' }] }),
  },
];

export const UNKNOWN_HOST: Template = {
  name: 'unknown-host',
  make: () => ({ url: 'https://proxy.example.com/v1/chat/completions', body: { model: 'openai.gpt-oss-120b', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 } }),
};

// ---------------------------------------------------------------------------------------------------------------
// Files

export type Variant = 'json-pretty' | 'json-min' | 'json-tabs-crlf-bom' | 'yaml' | 'yaml-crlf' | 'jsonl';
export const VARIANTS: Variant[] = ['json-pretty', 'json-min', 'json-tabs-crlf-bom', 'yaml', 'yaml-crlf', 'jsonl'];

export interface GeneratedFile {
  /** Relative to the fixture folder, / separated. */
  rel: string;
  variant: Variant | 'broken';
  /** The documents (one, or one per non-blank line of JSON Lines), each with its template. */
  docs: Array<EmittedDoc & { template: Template }>;
  /** For broken files: the error lint must report. */
  error?: { code: string; line?: number; column?: number };
}

export interface Fixture {
  dir: string;
  files: GeneratedFile[];
  /** Files a directory walk must not pick up. */
  skipped: string[];
}

function render(variant: Variant, values: Array<Record<string, unknown>>): { text: string; docs: EmittedDoc[] } {
  switch (variant) {
    case 'json-pretty': {
      const e = emitJson(values[0]!, { indent: '  ', eol: '\n' });
      return { text: `${e.text}\n`, docs: [e.doc] };
    }
    case 'json-min': {
      const e = emitJson(values[0]!, { indent: '', eol: '\n' });
      return { text: e.text, docs: [e.doc] };
    }
    case 'json-tabs-crlf-bom': {
      const e = emitJson(values[0]!, { indent: '\t', eol: '\r\n' });
      return { text: `\uFEFF${e.text}\r\n`, docs: [e.doc] };
    }
    case 'yaml':
    case 'yaml-crlf': {
      const e = emitYaml(values[0]!, variant === 'yaml' ? '\n' : '\r\n', ['# A generated request.', '']);
      return { text: e.text, docs: [e.doc] };
    }
    case 'jsonl': {
      const lines: string[] = [];
      const docs: EmittedDoc[] = [];
      values.forEach((v, k) => {
        if (k === 1) lines.push(''); // a blank line is skipped but still counted
        const e = emitJson(v, { indent: '', eol: '\n' }, lines.length + 1);
        lines.push(e.text);
        docs.push(e.doc);
      });
      return { text: `${lines.join('\n')}\n`, docs };
    }
  }
}

const EXT: Record<Variant, string> = { 'json-pretty': 'json', 'json-min': 'json', 'json-tabs-crlf-bom': 'json', yaml: 'yaml', 'yaml-crlf': 'yml', jsonl: 'jsonl' };

export interface GenerateOptions {
  count: number;
  seed?: number;
  /** Only these templates (default: all). */
  templates?: Template[];
  /** Add broken files and files to skip (default true). */
  extras?: boolean;
  /** Files per sub-folder (default 25). */
  perFolder?: number;
}

/** Writes `count` request files (plus, with extras, broken and skipped files) under `dir`. */
export function generateFixture(dir: string, o: GenerateOptions): Fixture {
  const r = random(o.seed ?? 42);
  const templates = o.templates ?? TEMPLATES;
  const files: GeneratedFile[] = [];
  const write = (rel: string, data: string | Uint8Array): void => {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, data);
  };
  const perFolder = o.perFolder ?? 25;
  for (let i = 0; i < o.count; i++) {
    const variant = VARIANTS[i % VARIANTS.length]!;
    const n = variant === 'jsonl' ? 1 + Math.floor(r() * 4) : 1;
    const chosen = Array.from({ length: n }, (_, k) => templates[(i + k * 3 + Math.floor(r() * templates.length)) % templates.length]!);
    const { text, docs } = render(variant, chosen.map((t, k) => t.make(r, i * 10 + k)));
    const folder = `group-${String(Math.floor(i / perFolder)).padStart(3, '0')}${i % 2 === 0 ? '' : '/nested'}`;
    const rel = `${folder}/req-${String(i).padStart(5, '0')}-${chosen[0]!.name}.${EXT[variant]}`;
    write(rel, text);
    files.push({ rel, variant, docs: docs.map((d, k) => ({ ...d, template: chosen[k]! })) });
  }
  const skipped: string[] = [];
  if (o.extras ?? true) {
    const broken = (rel: string, data: string | Uint8Array, error: GeneratedFile['error']): void => {
      write(rel, data);
      files.push({ rel, variant: 'broken', docs: [], error });
    };
    const trailing = '{\n  "url": "https://bedrock-mantle.us-east-1.api.aws/v1/chat/completions",\n  "body": { "model": "openai.gpt-oss-120b", },\n}\n';
    broken('broken/trailing-comma.json', trailing, { code: 'E_INPUT_PARSE', line: 3, column: trailing.split('\n')[2]!.indexOf(',') + 1 });
    broken('broken/empty.json', '', { code: 'E_INPUT_PARSE', line: 1, column: 1 });
    broken('broken/binary.json', new Uint8Array([0x7b, 0x0a, 0x00, 0x01, 0xff, 0x7d]), { code: 'E_INPUT_PARSE', line: 2, column: 1 });
    broken('broken/bad.yaml', 'url: https://bedrock-mantle.us-east-1.api.aws/v1/responses\nbody: [1, 2\n', { code: 'E_INPUT_PARSE', line: 3, column: 1 });
    broken('broken/array.json', '[1, 2]\n', { code: 'E_INPUT_SHAPE', line: 1, column: 1 });
    broken('broken/duplicate-key.json', '{"url": "https://bedrock-mantle.us-east-1.api.aws/v1/responses",\n "url": "x"}', { code: 'E_INPUT_PARSE', line: 2, column: 2 });
    // A URL host that is neither endpoint: an error at "url", unless --endpoint or the config's mapping says.
    const proxy = emitJson(UNKNOWN_HOST.make(r, 0), { indent: '  ', eol: '\n' });
    write('broken/unknown-host.json', proxy.text);
    files.push({ rel: 'broken/unknown-host.json', variant: 'json-pretty', docs: [{ ...proxy.doc, template: UNKNOWN_HOST }] });
    // JSON Lines with a bad third line: the good lines are still linted, the file is an error at line 3.
    const good = TEMPLATES[0]!.make(r, 1);
    const l1 = emitJson(good, { indent: '', eol: '\n' }, 1);
    const l2 = emitJson(TEMPLATES[2]!.make(r, 2), { indent: '', eol: '\n' }, 2);
    write('broken/some-bad-lines.jsonl', `${l1.text}\n${l2.text}\n{"url": \n`);
    files.push({ rel: 'broken/some-bad-lines.jsonl', variant: 'broken', docs: [{ ...l1.doc, template: TEMPLATES[0]! }, { ...l2.doc, template: TEMPLATES[2]! }], error: { code: 'E_INPUT_PARSE', line: 3, column: 9 } });

    for (const s of ['node_modules/pkg/request.json', '.hidden/request.json', 'group-000/.cache/request.yaml', 'notes.txt', 'group-000/readme.md']) {
      write(s, '{"url": "https://bedrock-mantle.us-east-1.api.aws/model/x/converse", "body": {}}');
      skipped.push(s);
    }
  }
  files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return { dir, files, skipped };
}

/** Temporary folders for one test file: `make` creates one, `cleanup` (for afterAll) removes them all. */
export function tempDirs(): { make: (prefix: string) => string; cleanup: () => void } {
  const made: string[] = [];
  return {
    make: (prefix) => {
      const d = mkdtempSync(join(tmpdir(), prefix));
      made.push(d);
      return d;
    },
    cleanup: () => {
      for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}
