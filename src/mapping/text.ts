import type { SimpleTransform } from '../config/mapping-file';

/**
 * `title`: the first letter of each word upper-case, the rest lower-case. A word starts
 * after a space, a hyphen or an apostrophe, so `jean-luc o'brien` becomes `Jean-Luc O'Brien`.
 */
export function titleCase(value: string): string {
  return value
    .toLowerCase()
    .replace(/(^|[\s\-'’(/])(\p{L})/gu, (_, before: string, letter: string) => before + letter.toUpperCase());
}

export function applyTextTransform(value: string, transform: SimpleTransform): string {
  switch (transform) {
    case 'trim':
      return value.trim();
    case 'lowercase':
      return value.toLowerCase();
    case 'uppercase':
      return value.toUpperCase();
    case 'title':
      return titleCase(value);
  }
}

/**
 * The first `max` UTF-16 units of a value, never cutting a character in two. Salesforce
 * counts length in UTF-16 units; cutting by them is never longer than what it accepts.
 */
export function truncateText(value: string, max: number): string {
  if (value.length <= max) return value;
  const cut = value.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  // A lone high surrogate at the end would be half of an emoji or other astral character.
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

/**
 * Splits `value` into `parts` pieces on `separator`: the first pieces take one word each
 * and the last takes the rest (`Ludwig van Beethoven` → `Ludwig` + `van Beethoven`). With
 * fewer words than pieces the last piece is filled first, because a single name is a last
 * name to Salesforce, which requires LastName.
 */
export function splitParts(value: string, separator: string, parts: number): (string | null)[] {
  const words = value
    .split(separator)
    .map((w) => w.trim())
    .filter((w) => w !== '');
  const out: (string | null)[] = Array.from({ length: parts }, () => null);
  if (words.length === 0 || parts === 0) return out;
  if (words.length >= parts) {
    for (let i = 0; i < parts - 1; i++) out[i] = words[i] ?? null;
    out[parts - 1] = words.slice(parts - 1).join(separator);
    return out;
  }
  out[parts - 1] = words[words.length - 1] ?? null;
  for (let i = 0; i < words.length - 1; i++) out[i] = words[i] ?? null;
  return out;
}

/** Joins the non-blank parts with `separator`; the reverse of splitParts. */
export function joinParts(values: readonly (string | null | undefined)[], separator: string): string | null {
  const present = values
    .filter((v): v is string => v !== null && v !== undefined && v.trim() !== '')
    .map((v) => v.trim());
  return present.length === 0 ? null : present.join(separator);
}
