/**
 * The output sanitiser. Everything the tool prints or answers passes through here:
 *
 * - `redact`: credentials, found by their shape, are replaced whole by `[redacted]` wherever they appear (Bedrock
 *   API keys, AWS access key ids, secret keys and session tokens, SigV4 signatures and credentials, `sk-…` keys,
 *   bearer tokens, JWTs, and any long base64 run).
 * - `escapeControl`: control characters (ESC and so ANSI/OSC sequences, CR, LF, NUL, DEL, C1, Unicode line
 *   separators and bidirectional overrides) become visible escapes such as `\x1b` and `\n`, so that a value can
 *   never move the cursor, recolour the terminal or forge a line of its own in a human format.
 * - `sanitizeStrings`: both, over every string of a report, before a human format lays it out (JSON escapes
 *   control characters itself, so a JSON format redacts only).
 */
const B64 = '(?:[A-Za-z0-9+/]|%2[BbFf])';
const SECRET = new RegExp(
  [
    // A SigV4 Authorization header value, through its last key=value part (Credential, SignedHeaders, Signature).
    String.raw`AWS4-HMAC-SHA256\s+(?:[A-Za-z]+=[^\s,;]*[,;]?\s*)+`,
    String.raw`[Bb]earer\s+[A-Za-z0-9._~+/=%-]{12,}`,
    String.raw`\bBasic\s+[A-Za-z0-9+/=]{8,}`,
    String.raw`bedrock-api-key-[A-Za-z0-9+/=_.%-]+`,
    String.raw`ABSK[A-Za-z0-9+/=_%-]{8,}`,
    String.raw`(?:AKIA|ASIA|AROA|AIDA|AGPA|AIPA|ANPA|ANVA|APKA|ABIA|ACCA)[A-Z0-9]{16}`,
    // The same ids lower-cased (a URL host is lower-cased before it is shown).
    String.raw`(?:akia|asia|aroa|aida|agpa|aipa|anpa|anva|apka|abia|acca)[a-z0-9]{16}`,
    String.raw`\b(?:X-Amz-Signature|X-Amz-Security-Token|X-Amz-Credential|Signature|Credential)=[^&\s,;"'<>]+`,
    // OpenAI and Anthropic keys: the prefixed forms, and a bare sk-… with digits and capitals (not "task-list-…").
    String.raw`sk-(?:ant|proj|svcacct|admin)-[A-Za-z0-9_-]{16,}`,
    String.raw`sk-(?=[A-Za-z0-9_-]*[0-9])(?=[A-Za-z0-9_-]*[A-Z])[A-Za-z0-9_-]{20,}`,
    // A long sk-… key that starts a word, whatever its letters (a random 48-character key can lack a digit).
    String.raw`\bsk-[A-Za-z0-9_-]{40,}`,
    // A JWT: base64url header (starting {"), payload and a signature that may be empty.
    String.raw`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`,
    // SigV4 signatures and other long lower-case hex.
    String.raw`(?<![0-9a-f])[0-9a-f]{40,}`,
  ].join('|'),
  'g',
);

// Secret keys, session tokens and other long base64 (also URL-encoded) with digits and both cases: a URL path of
// plain words (docs/providers/bedrock-…) is not one. A second pass, so that a key of a known shape is found whole
// even where base64 runs up to it.
const BASE64_RUN = new RegExp(`(?<![A-Za-z0-9+/])(?=${B64}*[0-9])(?=${B64}*[A-Z])(?=${B64}*[a-z])${B64}{40,}(?:=|%3[Dd]){0,2}`, 'g');

export const REDACTED = '[redacted]';

/**
 * A run of 40 or more base64 characters: what BASE64_RUN needs before its lookaheads can match. Tested first
 * because it is one linear pass, while BASE64_RUN's lookaheads rescan from every position of the text.
 */
const LONG_RUN = /(?:[A-Za-z0-9+/]|%2[BbFf]){40,}/;

/**
 * The longest text redacted whole (64 KiB). Nothing this tool prints needs more, and the patterns' backtracking
 * stack would overflow on texts of a few million characters (a hostile model id, say).
 */
export const MAX_SHOWN_LENGTH = 64 * 1024;
const TOKEN_CHAR = /[A-Za-z0-9+/=_.%~-]/;

/** A text cut to MAX_SHOWN_LENGTH, back to the start of the token the cut falls in (so no part of a secret shows). */
function bounded(text: string): string {
  if (text.length <= MAX_SHOWN_LENGTH) return text;
  let end = MAX_SHOWN_LENGTH;
  while (end > 0 && TOKEN_CHAR.test(text[end - 1]!)) end--;
  return `${text.slice(0, end)}… [${text.length - end} more characters not shown]`;
}

/** Replaces anything that looks like a credential with `[redacted]`, whole; a text over 64 KiB is cut first. */
export function redact(input: string): string {
  const text = bounded(input);
  const known = replaceAll(text, SECRET);
  return LONG_RUN.test(known) ? replaceAll(known, BASE64_RUN, keepPath) : known;
}

/**
 * A run that is a path of words and numbers (a JSON Pointer such as /body/toolConfig/tools/0/toolSpec, an S3 key
 * such as AWSLogs/111122223333/BedrockModelInvocationLogs) is not a credential: every part between slashes is
 * letters only or digits only. A random key or token has parts that mix them.
 */
const PATH_PART = /^(?:[A-Za-z]*|[0-9]*)$/;
const keepPath = (run: string): string => (run.split('/').every((part) => PATH_PART.test(part)) ? run : REDACTED);

function replaceAll(text: string, re: RegExp, replace: (match: string) => string = () => REDACTED): string {
  re.lastIndex = 0;
  return re.test(text) ? text.replace(re, replace) : text;
}

// C0 and C1 controls, DEL, line/paragraph separators, bidirectional embeddings, overrides and isolates.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const escapeOne = (c: string): string => NAMED[c] ?? (c.charCodeAt(0) <= 0xff ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : `\\u${c.charCodeAt(0).toString(16)}`);

/** Makes every control character visible (`\n`, `\x1b`, `\u202e`): the text stays on one line and inert. */
export function escapeControl(text: string): string {
  CONTROL.lastIndex = 0;
  return CONTROL.test(text) ? text.replace(CONTROL, escapeOne) : text;
}

// What JSON.stringify leaves raw: DEL, C1 controls, line separators and bidirectional controls.
const JSON_RAW = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Escapes, in JSON text, the control characters JSON.stringify leaves raw (`\u009b`, `\u202e`): same data. */
export function escapeJsonText(json: string): string {
  JSON_RAW.lastIndex = 0;
  return JSON_RAW.test(json) ? json.replace(JSON_RAW, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : json;
}

/** `redact` and `escapeControl`: for one value printed in a human format or an error line. */
export const sanitize = (text: string): string => escapeControl(redact(text));

/**
 * Sets an own data property; "__proto__" (a model id in an audit's traffic, say) stays a key rather than setting
 * the prototype. defineProperty only there: on every key it is much slower than an assignment, and every answer of
 * `serve` goes through here.
 */
function setOwn(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

/**
 * A copy of `value` (plain objects and arrays) with every string, keys included, redacted and, unless `json`,
 * control-escaped. Reports are shallow: the recursion follows the report's own shape, not the input's.
 */
export function sanitizeStrings<T>(value: T, options: { json?: boolean; clean?: (text: string) => string } = {}): T {
  const clean = options.clean ?? (options.json === true ? redact : sanitize);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return clean(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object' && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) setOwn(out, clean(k), walk(x));
      return out;
    }
    return v;
  };
  return walk(value) as T;
}

/**
 * `fn`, remembered for up to `size` distinct strings (then forgotten all at once); one per server or lint run,
 * never module-wide. A report's strings are mostly the same messages and sources request after request, and
 * redacting them anew would cost more than the check itself.
 */
export function remembered(fn: (text: string) => string, size = 4096): (text: string) => string {
  const memo = new Map<string, string>();
  return (text) => {
    let r = memo.get(text);
    if (r === undefined) {
      r = fn(text);
      if (memo.size >= size) memo.clear();
      memo.set(text, r);
    }
    return r;
  };
}
