/**
 * Credentials must never reach any output. Detection never copies header values or body strings into a report;
 * the few input strings that are echoed (model id, Region, an unrecognised URL path) go through `redact`.
 */
const SECRET =
  /AWS4-HMAC-SHA256[^\s,;]*|\bBearer\s+[^\s,;]+|bedrock-api-key-[A-Za-z0-9+/=_.-]+|\bABSK[A-Za-z0-9+/=_-]{8,}|\b(?:AKIA|ASIA)[A-Z0-9]{16}\b|X-Amz-(?:Signature|Security-Token|Credential)=[^&\s]+|\b[A-Za-z0-9+/]{40,}={0,2}/gi;

export const REDACTED = '[redacted]';

/** Replaces anything that looks like a credential with `[redacted]`. */
export function redact(text: string): string {
  SECRET.lastIndex = 0;
  return SECRET.test(text) ? text.replace(SECRET, REDACTED) : text;
}

const seen = new Map<string, string>();

/** `redact` for the few strings that repeat across requests (model ids, Regions): remembered, bounded. */
let lastText: string | undefined;
let lastRedacted = '';

export function redactRepeated(text: string): string {
  if (text === lastText) return lastRedacted;
  let r = seen.get(text);
  if (r === undefined) {
    r = redact(text);
    if (seen.size >= 1024) seen.clear();
    seen.set(text, r);
  }
  lastText = text;
  lastRedacted = r;
  return r;
}
