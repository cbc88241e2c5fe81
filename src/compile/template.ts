/** Fills `{name}` placeholders; a placeholder without data is left as it is (so `{where}` survives compile time). */
export function fillTemplate(template: string, data: Readonly<Record<string, string | undefined>>): string {
  return template.replace(/\{([a-zA-Z]+)\}/g, (whole, name: string) => data[name] ?? whole);
}

/** Splits a filled template at `{where}` so that the position can be put in with one concatenation per finding. */
export function splitAtWhere(message: string): [string, string] {
  const i = message.indexOf('{where}');
  return i < 0 ? [message, ''] : [message.slice(0, i), message.slice(i + '{where}'.length)];
}
