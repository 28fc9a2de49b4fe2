/**
 * Salesforce record ids: a 3-character key prefix naming the object, 12 characters that
 * identify the record (15, case-sensitive), and a 3-character suffix that encodes the
 * case of the first 15 so the 18-character form is case-insensitive.
 * https://help.salesforce.com/s/articleView?id=000385008&type=1
 */

export const KEY_PREFIXES = {
  Lead: '00Q',
  User: '005',
  Group: '00G',
  Account: '001',
  Contact: '003',
  Opportunity: '006',
  Task: '00T',
  Campaign: '701',
  CampaignMember: '00v',
  Organization: '00D',
  QueryLocator: '01g',
} as const;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
/** Real ids carry an instance ("pod") marker after the key prefix. */
const POD = 'Dn';
const ID15 = /^[a-zA-Z0-9]{15}$/;
const ID18 = /^[a-zA-Z0-9]{18}$/;

function isUpper(ch: string): boolean {
  return ch >= 'A' && ch <= 'Z';
}

/** The 3-character case-checksum suffix of a 15-character id. */
export function idSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      if (isUpper(id15.charAt(chunk * 5 + i))) bits |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET.charAt(bits);
  }
  return suffix;
}

export function isSalesforceId(value: string): boolean {
  return ID15.test(value) || ID18.test(value);
}

/**
 * The canonical 18-character form of an id given in either form, or undefined when the
 * text is not an id. An 18-character id whose suffix disagrees with its case is repaired
 * from the first 15 characters, as the platform does when it reads one.
 */
export function toId18(value: string): string | undefined {
  if (ID15.test(value)) return value + idSuffix(value);
  if (ID18.test(value)) {
    const id15 = restoreCase(value);
    return id15 + idSuffix(id15);
  }
  return undefined;
}

/** Re-applies the case recorded in an 18-character id's suffix (ids may be upper-cased in transit). */
function restoreCase(id18: string): string {
  let out = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    const bits = SUFFIX_ALPHABET.indexOf(id18.charAt(15 + chunk).toUpperCase());
    for (let i = 0; i < 5; i++) {
      const ch = id18.charAt(chunk * 5 + i);
      if (bits < 0) out += ch;
      else out += bits & (1 << i) ? ch.toUpperCase() : ch.toLowerCase();
    }
  }
  return out;
}

/**
 * Deterministic id for the n-th record (n ≥ 1) with a key prefix. Ids are fixed width and
 * base-62 in ASCII order, so sorting ids as plain strings sorts them in creation order,
 * which the (SystemModstamp, Id) cursor relies on for ties.
 */
export function makeId(prefix: string, n: number): string {
  let body = '';
  let rest = Math.floor(n);
  for (let i = 0; i < 9; i++) {
    body = BASE62.charAt(rest % 62) + body;
    rest = Math.floor(rest / 62);
  }
  const id15 = `${prefix}${POD}0${body}`;
  return id15 + idSuffix(id15);
}

export function keyPrefixOf(id: string): string {
  return id.slice(0, 3);
}
