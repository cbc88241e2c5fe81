/** Fills `{name}` placeholders; a placeholder without data is left as it is (so run-time slots survive compile time). */
export function fillTemplate(template: string, data: Readonly<Record<string, string | undefined>>): string {
  return template.replace(/\{([a-zA-Z]+)\}/g, (whole, name: string) => data[name] ?? whole);
}

/** Placeholders filled per request: the position, the model id, the Region, the API. */
export type Slot = 'where' | 'model' | 'region' | 'api';
const SLOT = /\{(where|model|region|api)\}/g;

/** A message split at its run-time slots: text, slot, text, slot, …, text. */
export interface CompiledMessage {
  texts: string[];
  slots: Slot[];
}

export function compileMessage(message: string): CompiledMessage {
  const texts: string[] = [];
  const slots: Slot[] = [];
  let last = 0;
  for (const m of message.matchAll(SLOT)) {
    texts.push(message.slice(last, m.index));
    slots.push(m[1] as Slot);
    last = m.index! + m[0].length;
  }
  texts.push(message.slice(last));
  return { texts, slots };
}

/** A switch, not `values[slot]`: named reads stay monomorphic (see ownProperty in detect/signals.ts). */
function slotValue(values: Readonly<Record<Slot, string>>, slot: Slot): string {
  switch (slot) {
    case 'where':
      return values.where;
    case 'model':
      return values.model;
    case 'region':
      return values.region;
    case 'api':
      return values.api;
  }
}

export function renderMessage(m: CompiledMessage, values: Readonly<Record<Slot, string>>): string {
  let out = m.texts[0]!;
  for (let i = 0; i < m.slots.length; i++) out += slotValue(values, m.slots[i]!) + m.texts[i + 1]!;
  return out;
}
