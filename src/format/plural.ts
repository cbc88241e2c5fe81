/** Counted nouns for people: `1 file`, `2 files`. */

/** `word`, or its plural (`word` + s unless given) when `n` is not 1. */
export const noun = (n: number, word: string, many = `${word}s`): string => (n === 1 ? word : many);

/** `n word`: `1 file`, `0 files`, `3 files`. */
export const plural = (n: number, word: string, many?: string): string => `${n} ${noun(n, word, many)}`;
