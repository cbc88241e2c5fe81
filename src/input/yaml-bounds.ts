/**
 * Bounds on YAML checked before the YAML parser spends time and memory on the text. yaml's parser builds its
 * syntax tree before any depth check can run: a few hundred thousand `[` cost seconds and hundreds of MB, and
 * YAML in general parses some 20 times slower than JSON. So, before parsing:
 *
 * - YAML text is at most `maxYamlBytes` (256 KiB by default; JSON keeps `maxBytes`), which keeps a parse under
 *   about a second;
 * - yaml's lexer (a generator, nothing kept) is run over the text, and the first flow collection (`[` or `{`)
 *   deeper than `maxDepth` stops it with the usual depth error. Flow depth never exceeds the full depth, so
 *   nothing the parser would accept is refused here.
 */
import { PreflightInputError, type SourcePosition } from '../errors.js';
import { formatFromName, parseInput, type InputFormat, type ParsedInput } from './parse.js';
import { formatByteSize, resolveLimits, type InputLimits } from './read.js';
import { yamlLib } from './lazy.js';

/** Lexer tokens that mark a place and stand for no source text. */
const MARKERS = new Set(['\u0002', '\u0018', '\u001f', '\u{FEFF}']);

/** The offset of the first flow collection opened deeper than `maxDepth`, or -1. */
export function flowTooDeep(text: string, maxDepth: number): number {
  let depth = 0;
  let offset = 0;
  for (const token of new (yamlLib().Lexer)().lex(text)) {
    if (token === '[' || token === '{') {
      depth++;
      if (depth > maxDepth) return offset;
    } else if (token === ']' || token === '}') depth = Math.max(0, depth - 1);
    if (!MARKERS.has(token)) offset += token.length;
  }
  return -1;
}

/** 1-based line and column of `offset`; line breaks are \n, \r\n and \r (as in parse.ts). */
function positionOf(text: string, offset: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** How the message of the YAML size error starts (a server answers it with 413, like a body over its limit). */
export const YAML_TOO_LARGE = 'YAML input is larger than the YAML limit';

/** Throws E_INPUT_LIMIT when YAML `text` is larger than `maxYamlBytes` or nests flow collections too deeply. */
export function checkYamlBounds(text: string, file: string, limits: InputLimits): void {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxYamlBytes) {
    throw new PreflightInputError(
      'E_INPUT_LIMIT',
      `${YAML_TOO_LARGE} of ${formatByteSize(limits.maxYamlBytes)} (maxYamlBytes = ${limits.maxYamlBytes}; YAML parses far slower than JSON): give the request as JSON`,
      { file },
    );
  }
  const at = flowTooDeep(text, limits.maxDepth);
  if (at >= 0) {
    throw new PreflightInputError(
      'E_INPUT_LIMIT',
      `nesting too deep: objects/arrays may be nested at most ${limits.maxDepth} levels (maxDepth = ${limits.maxDepth})`,
      { file, position: positionOf(text, at) },
    );
  }
}

/** The format parseInput will use: the given one, else by the file's extension, else by the first character. */
function formatOf(text: string, file: string, format: InputFormat | undefined): InputFormat {
  if (format !== undefined) return format;
  const byName = formatFromName(file);
  if (byName !== undefined) return byName;
  const first = /\S/.exec(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)?.[0];
  return first === '{' || first === '[' ? 'json' : 'yaml';
}

/** {@link parseInput} with the YAML bounds checked first. Every parse of untrusted text goes through here. */
export function parseBoundedInput(text: string, file: string, options: { format?: InputFormat; limits?: Partial<InputLimits> } = {}): ParsedInput {
  const limits = resolveLimits(options.limits);
  if (formatOf(text, file, options.format) === 'yaml') checkYamlBounds(text, file, limits);
  return parseInput(text, file, options);
}
