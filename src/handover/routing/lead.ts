import type { RoutingPolicy } from '../../config/handover-file';

/** HubSpot contact properties as the API returns them: text, or null when blank. */
export type ContactProperties = Readonly<Record<string, string | null | undefined>>;

/** What routing rules look at, read from the contact through `routing > fields`. */
export interface LeadFacts {
  country: string | null;
  /** The region whose list holds the country (routing > regions), if any. */
  region: string | null;
  industry: string | null;
  /** The company size as a number; a range such as `100-500` counts as its lower bound. */
  employees: number | null;
  /** The size as HubSpot holds it, for explanations (`100-500`). */
  employeesText: string | null;
}

/** A trimmed value, or null when blank. */
export function propertyValue(properties: ContactProperties, name: string): string | null {
  const value = properties[name];
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/**
 * HubSpot's contact `numemployees` is an enumeration of ranges (`1-5`, …, `500-1000`,
 * `1000+`), while custom properties often hold a plain number (`1,200`). A range counts
 * as its lower bound so that `employees: { min: 1000 }` takes `1000+` and not `500-1000`.
 */
export function parseEmployees(value: string | null): number | null {
  if (value === null) return null;
  const match = /^(\d[\d,. ]*)(?:\s*(?:-|–|to)\s*\d[\d,. ]*|\s*\+)?$/.exec(value.trim());
  if (!match?.[1]) return null;
  const n = Number(match[1].replace(/[,. ]/g, ''));
  return Number.isSafeInteger(n) ? n : null;
}

const same = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;

/** True when `value` equals one of `values`, ignoring case and surrounding spaces. */
export function oneOf(value: string, values: readonly string[]): boolean {
  return values.some((v) => same(v.trim(), value));
}

export function leadFacts(routing: RoutingPolicy, properties: ContactProperties): LeadFacts {
  const country = propertyValue(properties, routing.fields.country);
  const region =
    country === null
      ? null
      : (Object.entries(routing.regions).find(([, countries]) => oneOf(country, countries))?.[0] ?? null);
  const employeesText = propertyValue(properties, routing.fields.employees);
  return {
    country,
    region,
    industry: propertyValue(properties, routing.fields.industry),
    employees: parseEmployees(employeesText),
    employeesText,
  };
}

/** `country Germany, region EMEA, industry Healthcare, 100-500 employees`, leaving out what is unknown. */
export function describeFacts(facts: LeadFacts): string {
  const parts = [
    facts.country === null ? 'no country' : `country ${facts.country}`,
    facts.region === null ? null : `region ${facts.region}`,
    facts.industry === null ? 'no industry' : `industry ${facts.industry}`,
    facts.employeesText === null ? 'no company size' : `${facts.employeesText} employees`,
  ];
  return parts.filter((p): p is string => p !== null).join(', ');
}
