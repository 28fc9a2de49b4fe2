/** Quotes a value as a SOQL string literal (backslash and single quote are escaped). */
export function soqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$/;

/** Field and object names come from mapping files: refuse anything that is not a plain name. */
export function soqlName(name: string): string {
  if (!FIELD_NAME.test(name)) throw new Error(`"${name}" is not a valid Salesforce field or object name`);
  return name;
}
