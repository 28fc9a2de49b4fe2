/**
 * The one catalogue of problems Baton reports about the files in mappings/ (object
 * mappings and handover.yaml), as NangoHQ's nango-yaml keeps one list of errors: a stable
 * code per kind of mistake, which tests, docs and scripts rely on, and a hint saying
 * what usually fixes it. Messages name the file's own keys and values; zod's issue codes
 * never reach a person.
 */

/** Problems of reading the file at all, or of its shape as a document. */
const DOCUMENT = {
  unreadable: 'the file cannot be read; check that it exists and Baton may read it',
  missing_dir: 'create the mappings folder, or set BATON_MAPPINGS_DIR to it',
  missing_mapping: 'add the mapping file the sync names, or remove the sync',
  too_large: 'a mapping file is a few kilobytes; check that the right file was saved here',
  not_text: 'the file is not text; save it again as UTF-8 YAML',
  too_many_aliases: 'YAML aliases (*name) are expanded too often; write the values out instead',
  too_deep: 'the file nests deeper than any mapping needs; check the indentation and brackets',
  syntax: 'the YAML is not valid; check the indentation, colons and quotes on that line',
  not_a_mapping: 'the file must be YAML keys with values ("key: value" lines), not a list or a single value',
} as const;

/** Problems the structural pass finds (a zod schema over the document). */
const STRUCTURE = {
  missing_key: 'add the key, on a line of its own at this level of indentation',
  unknown_key: 'check the spelling, or remove the key',
  wrong_type: 'the value is of the wrong kind: a list, a mapping or a single value where another is expected',
  invalid_value: 'use one of the values the message lists',
  too_small: 'add at least one entry, or a larger number',
  two_lists: 'list several fields on one side only',
} as const;

/** Cross-reference problems of an object mapping (mapping-file.ts). */
const MAPPING = {
  duplicate_target: 'each target field may be written by one entry only',
  two_way_without_rule: 'merge the two entries into one with direction: both and a conflict rule',
  missing_conflict_rule: 'add a conflict rule to the field, or once at the top of the file',
  conflict_on_one_way: 'remove conflict: a one-way field has nothing to settle',
  unused_direction: 'remove the settings for the direction the field does not flow in',
  split_targets: 'a join or split needs at least two fields on its list side',
  not_for_join_split: 'map the parts as fields of their own',
  separator_without_list: 'remove separator, or list several fields on one side',
  ranges_both_ways: 'move ranges under to_salesforce or to_hubspot',
  ambiguous_reverse: 'add to_hubspot > values to say which value comes back',
  constant_sides: 'keep only the side the constant is written to',
  constant_direction: 'remove direction, or set it to the side the constant is written to',
  constant_with_transforms: 'remove the setting: a constant is written as it is',
  value_not_of_type: 'write a value of the declared type, or change type',
  values_and_ranges: 'keep either values or ranges',
  unmapped_without_values: 'remove unmapped, or add values or ranges',
  duplicate_range: 'give each range its own starting value',
  truncate_not_text: 'remove truncate: it only cuts text',
  lead_conversion_needs_lead: 'remove lead_conversion, or map Salesforce Leads',
} as const;

/** Problems the live pass finds against the CRMs' own schemas (mapping-live.ts). */
const LIVE = {
  unknown_property: 'use the internal name of a HubSpot contact property',
  unknown_field: 'use the API name of a Salesforce field',
  not_writable: 'map the field one way only, towards the side that may be written',
  truncate_too_long: 'lower truncate to the field length',
  picklist_value_rejected: 'use one of the picklist values the message lists',
  type_mismatch: 'add a type, or map the values with values or ranges',
  unmapped_picklist_value: 'add a line for the value, or set unmapped',
} as const;

/** Cross-reference problems of handover.yaml (handover-file.ts). */
const HANDOVER = {
  unknown_domain_list: 'name a list under qualification > domain_lists, or write a domain',
  empty_range: 'make the lower bound no greater than the upper bound',
  country_in_two_regions: 'keep each country in one region',
  unknown_region: 'name a region defined under routing > regions',
  unknown_team: 'name a team defined under routing > teams',
  unreachable_rule: 'move the rule above the catch-all rule, or remove it',
  team_without_reps: 'add reps or a fallback to the team',
  unused_team: 'add a rule for the team, or remove it',
  rep_in_two_teams: 'keep each rep in one team',
  weight_on_round_robin: 'set strategy: weighted, or remove the weight',
  missing_weight: 'give every rep of a weighted team a weight',
  empty_caps: 'set per_day, per_week or both',
  cap_day_above_week: 'lower per_day, or raise per_week',
  presales_without_queue: 'name the Salesforce queue that researches the leads',
  missing_escalation_target: 'add escalate_to with a user or a queue',
  status_in_two_outcomes: 'keep each status under one outcome',
  status_is_new_status: 'remove the status new Leads start in',
  missing_write_back: 'add hubspot > recycled',
  unknown_lifecycle_stage: "use a lifecycle stage's internal value",
  reason_not_written: 'set hubspot > reason_property',
} as const;

export const PROBLEM_CATALOGUE = { ...DOCUMENT, ...STRUCTURE, ...MAPPING, ...LIVE, ...HANDOVER } as const;

export type ProblemCode = keyof typeof PROBLEM_CATALOGUE;
export const PROBLEM_CODES = Object.keys(PROBLEM_CATALOGUE) as readonly string[];

export const isProblemCode = (code: string): code is ProblemCode => code in PROBLEM_CATALOGUE;

export function hintFor(code: ProblemCode): string {
  return PROBLEM_CATALOGUE[code];
}

export interface Problem {
  file: string;
  line: number;
  column: number;
  /** Human path into the document, e.g. `contact > fields > 3 > salesforce`. */
  path: string;
  code: ProblemCode;
  message: string;
  severity: 'error' | 'warning';
  /** What usually fixes a problem of this code (the catalogue's); `--json` shows it. */
  hint: string;
}

/** A problem with its code's hint from the catalogue. */
export function problem(fields: Omit<Problem, 'hint'>): Problem {
  return { ...fields, hint: hintFor(fields.code) };
}

/** One line per problem: `contact.yaml:12:5 error [missing_key] contact > fields > 1 > salesforce: … `. */
export function formatProblems(problems: readonly Problem[]): string {
  return problems
    .map((p) => `${p.file}:${p.line}:${p.column} ${p.severity} [${p.code}] ${p.path}: ${p.message}`)
    .join('\n');
}

/** Problems in reading order, so a person can fix the files top to bottom. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => a.p.file.localeCompare(b.p.file) || a.p.line - b.p.line || a.p.column - b.p.column || a.i - b.i)
    .map(({ p }) => p);
}

export class MappingError extends Error {
  constructor(readonly problems: Problem[]) {
    super(formatProblems(problems));
    this.name = 'MappingError';
  }
}

// ---- did you mean ----

/** Edit distance (Levenshtein), for "did you mean". */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const here = row[j] ?? 0;
      row[j] = Math.min(here + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = here;
    }
  }
  return row[b.length] ?? 0;
}

/** The candidate closest to `name` (ignoring case) when it is close enough to be a slip. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  let best: { name: string; d: number } | undefined;
  for (const candidate of candidates) {
    const d = editDistance(lower, candidate.toLowerCase());
    if (!best || d < best.d) best = { name: candidate, d };
  }
  return best && best.d <= Math.max(2, Math.floor(name.length / 3)) ? best.name : undefined;
}

/** `; did you mean "Title"?`, or '' when nothing is close. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const guess = closest(name, candidates);
  return guess === undefined ? '' : `; did you mean "${guess}"?`;
}
