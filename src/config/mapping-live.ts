import fs from 'node:fs';
import type { SalesforceConnectionOptions } from '../crm/salesforce/client';
import path from 'node:path';
import { z } from 'zod';
import { coerceValue, describeType, type ValueType } from '../mapping/coerce';
import { contactFieldOf } from '../mapping/lifecycle';
import type { BatonConfig } from './env';
import { parseHandoverPolicyFile } from './handover-file';
import {
  effectiveStep,
  FLOW_DIRECTIONS,
  flowsTo,
  formatProblems,
  literalsOf,
  mappingFilesIn,
  namesOn,
  parseObjectMappingFile,
  settingKeys,
  sortProblems,
  sourceSide,
  targetSide,
  type FieldMapping,
  type FlowDirection,
  type Keys,
  type Locator,
  type MappingProblem,
  type ObjectMapping,
  type Side,
} from './mapping-file';
import { didYouMean, type ProblemCode } from './problems';

/**
 * The third pass of `baton mappings check`: the mapping held against the schemas the
 * CRMs report. It finds what only the CRMs know: names that do not exist, fields nobody
 * may write, picklist values on one side that the other side would reject, and
 * truncation longer than the field. The CRMs are read through a `LiveSchemaReader` the
 * caller passes in (src/crm/schema-reader.ts builds it over the official clients), so
 * src/config never reaches into src/crm.
 */

// ---- what the CRMs report, as src/crm parses it ----

/** A HubSpot property definition (src/crm/hubspot/properties.ts, listContactProperties). */
export interface HubSpotPropertyDefinition {
  name: string;
  type: string;
  options: { value: string }[];
  calculated?: boolean;
  externalOptions?: boolean;
  referencedObjectType?: string;
  modificationMetadata?: { readOnlyValue?: boolean };
}

/** A Salesforce sObject describe (src/crm/salesforce/describe.ts, describeObject). */
export interface SalesforceObjectDescription {
  name: string;
  fields: {
    name: string;
    type: string;
    length: number;
    createable: boolean;
    updateable: boolean;
    restrictedPicklist?: boolean;
    picklistValues: { value: string; active: boolean }[];
  }[];
}

/** How the live pass reads the schemas; a side left out is not checked. */
export interface LiveSchemaReader {
  hubspot?: { contactProperties(): Promise<readonly HubSpotPropertyDefinition[]> };
  salesforce?: { describe(object: string): Promise<SalesforceObjectDescription> };
}

/** What a value kind means to the checks; both systems' types are read into these. */
export type LiveKind = 'text' | 'picklist' | 'number' | 'integer' | 'boolean' | 'date' | 'datetime' | 'reference';

export interface LiveField {
  name: string;
  /** The CRM's own type name, for messages (`enumeration`, `int`, `picklist`). */
  rawType: string;
  kind: LiveKind;
  /** The values a picklist accepts; undefined when the CRM does not list them (owners). */
  options?: string[];
  /** Values outside `options` are rejected (HubSpot enumerations; restricted Salesforce picklists). */
  restricted: boolean;
  createable: boolean;
  updateable: boolean;
  /** Why nobody may write it, in words. */
  readOnlyReason?: string;
  /** Maximum text length (Salesforce text fields). */
  length?: number;
}

export interface LiveSchema {
  system: Side;
  /** `contacts` or `Lead`, as messages name it. */
  object: string;
  fields: LiveField[];
}

function hubspotKind(type: string): LiveKind {
  switch (type) {
    case 'number':
      return 'number';
    case 'bool':
      return 'boolean';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'enumeration':
      return 'picklist';
    default:
      return 'text';
  }
}

function salesforceKind(type: string): LiveKind {
  switch (type) {
    case 'picklist':
    case 'multipicklist':
      return 'picklist';
    case 'int':
      return 'integer';
    case 'double':
    case 'currency':
    case 'percent':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'id':
    case 'reference':
      return 'reference';
    default:
      // string, textarea, email, phone, url, combobox (a picklist that takes any text), …
      return 'text';
  }
}

/** The schema of HubSpot's contact properties, from their definitions. */
export function hubspotSchemaFrom(
  properties: readonly HubSpotPropertyDefinition[],
  objectType = 'contacts',
): LiveSchema {
  return {
    system: 'hubspot',
    object: objectType,
    fields: properties.map((p) => {
      const kind = hubspotKind(p.type);
      const readOnly = p.modificationMetadata?.readOnlyValue === true || p.calculated === true;
      const listed = kind === 'picklist' && !p.externalOptions && p.referencedObjectType === undefined;
      return {
        name: p.name,
        rawType: p.type,
        kind,
        options: listed ? p.options.map((o) => o.value) : undefined,
        // HubSpot rejects any value of an enumeration that is not one of its options.
        restricted: listed,
        createable: !readOnly,
        updateable: !readOnly,
        readOnlyReason: readOnly ? (p.calculated ? 'HubSpot calculates it' : 'HubSpot marks it read-only') : undefined,
      };
    }),
  };
}

/** The schema of a Salesforce object, from its describe. */
export function salesforceSchemaFrom(d: SalesforceObjectDescription): LiveSchema {
  return {
    system: 'salesforce',
    object: d.name,
    fields: d.fields.map((f) => {
      const kind = salesforceKind(f.type);
      return {
        name: f.name,
        rawType: f.type,
        kind,
        options: kind === 'picklist' ? f.picklistValues.filter((p) => p.active).map((p) => p.value) : undefined,
        restricted: kind === 'picklist' && f.restrictedPicklist === true,
        createable: f.createable,
        updateable: f.updateable,
        readOnlyReason: !f.createable && !f.updateable ? 'Salesforce does not allow it to be set' : undefined,
        length: kind === 'text' && f.length > 0 ? f.length : undefined,
      };
    }),
  };
}

// ---- the checks (pure) ----

export interface LiveSchemas {
  hubspot?: LiveSchema;
  /** By Salesforce object name (`Lead`, `Contact`). */
  salesforce?: Record<string, LiveSchema | undefined>;
}

function find(schema: LiveSchema, name: string): LiveField | undefined {
  // Salesforce API names are case-insensitive; HubSpot's internal names are not.
  return schema.system === 'salesforce'
    ? schema.fields.find((f) => f.name.toLowerCase() === name.toLowerCase())
    : schema.fields.find((f) => f.name === name);
}

function suggestion(schema: LiveSchema, name: string): string {
  return didYouMean(
    name,
    schema.fields.map((f) => f.name),
  );
}

const where = (schema: LiveSchema, field: LiveField) =>
  schema.system === 'hubspot' ? `HubSpot's ${field.name}` : `Salesforce's ${schema.object}.${field.name}`;
const KIND_WORDS: Record<LiveKind, string> = {
  text: 'text',
  picklist: 'picklist values',
  number: 'numbers',
  integer: 'whole numbers',
  boolean: 'true/false values',
  date: 'dates',
  datetime: 'dates with times',
  reference: 'record ids',
};
const listOf = (options: string[]) =>
  options.length > 12 ? `${options.slice(0, 12).join(', ')}, …` : options.join(', ');

/** Whether a value of `produced` type fits a field of `target` kind. */
function fits(produced: ValueType | LiveKind, target: LiveKind): 'yes' | 'no' | 'maybe' {
  if (target === 'text' || target === 'picklist' || target === 'reference') return 'yes';
  if (produced === target) return 'yes';
  if (target === 'number' && produced === 'integer') return 'yes';
  if (target === 'datetime' && produced === 'date') return 'yes';
  // Text may hold the right thing (a HubSpot text property with numbers in it), or not.
  if (produced === 'text' || produced === 'picklist') return 'maybe';
  if (target === 'integer' && produced === 'number') return 'maybe';
  return 'no';
}

/** The ValueType a field kind reads as, for suggesting `type:`. */
const TYPE_OF_KIND: Partial<Record<LiveKind, ValueType>> = {
  number: 'number',
  integer: 'integer',
  boolean: 'boolean',
  date: 'date',
  datetime: 'datetime',
};

export function checkMappingLive(mapping: ObjectMapping, locate: Locator, schemas: LiveSchemas): MappingProblem[] {
  const problems: MappingProblem[] = [];
  const add = (keys: Keys, code: ProblemCode, message: string, severity: MappingProblem['severity'] = 'error') =>
    problems.push(locate.problem(keys, code, message, severity));
  const schemaOf = (side: Side): LiveSchema | undefined =>
    side === 'hubspot' ? schemas.hubspot : schemas.salesforce?.[mapping.salesforce.object];

  const lookUp = (side: Side, name: string, keys: Keys): LiveField | undefined => {
    const schema = schemaOf(side);
    if (!schema) return undefined;
    const field = find(schema, name);
    if (!field) {
      if (side === 'hubspot')
        add(keys, 'unknown_property', `HubSpot ${schema.object} have no property "${name}"${suggestion(schema, name)}`);
      else
        add(keys, 'unknown_field', `Salesforce's ${schema.object} has no field "${name}"${suggestion(schema, name)}`);
    }
    return field;
  };

  lookUp('hubspot', mapping.match.hubspot, ['match', 'hubspot']);
  lookUp('salesforce', mapping.match.salesforce, ['match', 'salesforce']);
  if (mapping.lead_conversion === 'follow') {
    const lead = schemaOf('salesforce');
    if (lead && !find(lead, 'ConvertedContactId')) {
      add(
        ['lead_conversion'],
        'unknown_field',
        `Salesforce's ${lead.object} has no ConvertedContactId field, so a conversion cannot be followed`,
      );
    }
    // After a conversion the contact is matched and synced through the Contact, with the
    // Lead's fields under the names conversion gives them.
    const contact = mapping.salesforce.object === 'Lead' ? schemas.salesforce?.Contact : undefined;
    if (contact) {
      const match = contactFieldOf(mapping.match.salesforce);
      if (!find(contact, match)) {
        add(
          ['match', 'salesforce'],
          'unknown_field',
          `lead_conversion: follow matches converted leads on Salesforce's Contact.${match}, which does not exist; match on a field Leads and Contacts both have, or set lead_conversion: ignore`,
        );
      }
    }
  }

  mapping.fields.forEach((field, i) => {
    const found: Record<Side, (LiveField | undefined)[]> = { hubspot: [], salesforce: [] };
    for (const side of ['hubspot', 'salesforce'] as const) {
      const list = namesOn(field, side);
      found[side] = list.map((name, j) =>
        lookUp(side, name, field.parts?.side === side ? ['fields', i, side, j] : ['fields', i, side]),
      );
    }
    for (const direction of FLOW_DIRECTIONS) {
      if (!flowsTo(field, direction)) continue;
      const targetSchema = schemaOf(targetSide(direction));
      if (!targetSchema) continue;
      let writable = true;
      found[targetSide(direction)].forEach((target, j) => {
        if (!target) return;
        const keys: Keys =
          field.parts?.side === targetSide(direction)
            ? ['fields', i, targetSide(direction), j]
            : ['fields', i, targetSide(direction)];
        writable = checkWritable(field, direction, targetSchema, target, keys, add) && writable;
        checkTruncate(field, i, direction, targetSchema, target, add);
      });
      // Picklists and types compare one value with one field; joins and splits carry text.
      // Nothing is written to a field nobody may write, so its values need no checking.
      if (field.parts || !writable) continue;
      const target = found[targetSide(direction)][0];
      const source = found[sourceSide(direction)][0];
      if (!target) continue;
      checkValues(field, i, direction, targetSchema, target, schemaOf(sourceSide(direction)), source, add);
    }
  });
  return problems;
}

type Add = (keys: Keys, code: ProblemCode, message: string, severity?: MappingProblem['severity']) => void;

function oneWayAdvice(field: FieldMapping, direction: FlowDirection): string {
  if (field.direction !== 'both') return 'remove this field';
  return direction === 'to_salesforce' ? 'set direction: to_hubspot' : 'set direction: to_salesforce';
}

/** False when nobody may write the target at all. */
function checkWritable(
  field: FieldMapping,
  direction: FlowDirection,
  schema: LiveSchema,
  target: LiveField,
  keys: Keys,
  add: Add,
): boolean {
  if (!target.createable && !target.updateable) {
    add(
      keys,
      'not_writable',
      `${where(schema, target)} cannot be written (${target.readOnlyReason ?? 'it is read-only'}); ${oneWayAdvice(field, direction)}`,
    );
    return false;
  }
  if (!target.updateable) {
    add(
      keys,
      'not_writable',
      `${where(schema, target)} can only be set when Baton creates the record; later changes will be rejected`,
      'warning',
    );
  } else if (!target.createable) {
    add(
      keys,
      'not_writable',
      `${where(schema, target)} cannot be set when Baton creates the record, only on later updates`,
      'warning',
    );
  }
  return true;
}

function checkTruncate(
  field: FieldMapping,
  i: number,
  direction: FlowDirection,
  schema: LiveSchema,
  target: LiveField,
  add: Add,
): void {
  const truncate = effectiveStep(field, direction).truncate;
  if (truncate === undefined || target.length === undefined || truncate <= target.length) return;
  add(
    settingKeys(field, i, direction, 'truncate'),
    'truncate_too_long',
    `truncate: ${truncate} is more than ${where(schema, target)} holds (${target.length} characters); use truncate: ${target.length} or less`,
  );
}

function checkValues(
  field: FieldMapping,
  i: number,
  direction: FlowDirection,
  targetSchema: LiveSchema,
  target: LiveField,
  sourceSchema: LiveSchema | undefined,
  source: LiveField | undefined,
  add: Add,
): void {
  const step = effectiveStep(field, direction);

  // Every value written in the file must be one the target takes.
  for (const literal of literalsOf(field, i, direction)) {
    if (target.kind === 'picklist' && target.options && !target.options.includes(literal.value)) {
      const msg = `${literal.what} "${literal.value}" is not one of ${where(targetSchema, target)} values (${listOf(target.options)})`;
      if (target.restricted) add(literal.keys, 'picklist_value_rejected', `${msg}; it would be rejected`);
      else
        add(
          literal.keys,
          'picklist_value_rejected',
          `${msg}; Salesforce stores it, but reports and filters on the picklist will not show it`,
          'warning',
        );
    }
    const type = TYPE_OF_KIND[target.kind];
    if (type && !coerceValue(type, literal.value).ok) {
      add(
        literal.keys,
        'type_mismatch',
        `${literal.what} "${literal.value}" is not ${describeType(type)}, but ${where(targetSchema, target)} holds ${KIND_WORDS[target.kind]}`,
      );
    }
  }

  // The type of what arrives: the declared type, else the source's own, unless values or
  // ranges choose every value (their literals were checked above).
  if (field.constant === undefined) {
    const suggested = TYPE_OF_KIND[target.kind];
    const allChosen =
      (step.values !== undefined || step.ranges !== undefined) && (step.unmapped ?? 'pass_through') !== 'pass_through';
    if (step.type !== undefined) {
      if (fits(step.type, target.kind) === 'no') {
        add(
          settingKeys(field, i, direction, 'type'),
          'type_mismatch',
          `type: ${step.type} does not fit ${where(targetSchema, target)}, which holds ${KIND_WORDS[target.kind]}${suggested ? `; use type: ${suggested}` : ''}`,
        );
      }
    } else if (!allChosen && source && sourceSchema && fits(source.kind, target.kind) !== 'yes') {
      add(
        ['fields', i],
        'type_mismatch',
        `${where(targetSchema, target)} holds ${KIND_WORDS[target.kind]}, but ${where(sourceSchema, source)} holds ${KIND_WORDS[source.kind]}; values that are not ${KIND_WORDS[target.kind]} will be rejected${suggested ? ` (add ${direction} > type: ${suggested} to convert them, or map them with values or ranges)` : ''}`,
        'warning',
      );
    }
  }

  // Picklist values on the source side that nothing maps and the target would reject.
  if (field.constant !== undefined || step.ranges !== undefined) return;
  if (!source?.options || !sourceSchema || target.kind !== 'picklist' || !target.restricted || !target.options) return;
  const policy = step.unmapped ?? 'pass_through';
  if (policy === 'skip' || typeof policy === 'object') return;
  const mappedKeys = new Set(Object.keys(step.values ?? {}).map((k) => k.trim().toLowerCase()));
  const valuesKeys: Keys = step.values ? settingKeys(field, i, direction, 'values') : ['fields', i];
  const under = step.valuesFrom === 'field' ? 'values' : `${direction} > values`;
  for (const option of source.options) {
    if (mappedKeys.has(option.toLowerCase())) continue;
    if (!step.values && target.options.includes(option)) continue;
    const outcome =
      policy === 'error'
        ? 'records with it will fail (unmapped: error)'
        : `it would be sent as it is and ${where(targetSchema, target)} does not accept it`;
    add(
      valuesKeys,
      'unmapped_picklist_value',
      `${where(sourceSchema, source)} value "${option}" has no line under ${under}; ${outcome}. Add a line for it, or set unmapped: skip or unmapped: { default: <value> }`,
      'warning',
    );
  }
}

// ---- reading the schemas a set of mappings needs ----

export interface LiveRead {
  schemas: LiveSchemas;
  /** What was checked and what could not be, in words, for the report. */
  notes: string[];
  checked: { hubspot: boolean; salesforce: boolean };
}

const reason = (err: unknown) => (err instanceof Error ? err.message.split('\n')[0] : String(err));

export async function readLiveSchemas(
  mappings: readonly ObjectMapping[],
  clients: LiveSchemaReader,
): Promise<LiveRead> {
  const schemas: LiveSchemas = {};
  const notes: string[] = [];
  const checked = { hubspot: false, salesforce: false };
  if (clients.hubspot) {
    try {
      schemas.hubspot = hubspotSchemaFrom(await clients.hubspot.contactProperties(), 'contacts');
      checked.hubspot = true;
    } catch (err) {
      notes.push(
        `could not read HubSpot's contact properties (${reason(err)}); the checks against HubSpot were skipped`,
      );
    }
  }
  if (clients.salesforce) {
    schemas.salesforce = {};
    // A mapping that follows conversions is checked against the Contact too.
    const follows = mappings.some((m) => m.lead_conversion === 'follow' && m.salesforce.object === 'Lead');
    for (const object of [...new Set([...mappings.map((m) => m.salesforce.object), ...(follows ? ['Contact'] : [])])]) {
      try {
        schemas.salesforce[object] = salesforceSchemaFrom(await clients.salesforce.describe(object));
        checked.salesforce = true;
      } catch (err) {
        notes.push(
          `could not describe Salesforce's ${object} (${reason(err)}); the checks against Salesforce's ${object} were skipped`,
        );
      }
    }
  }
  return { schemas, notes, checked };
}

// ---- `baton mappings check` ----

/** The CRM connections for the live pass: from the environment, or from `baton dev`'s dev.json. */
export interface LiveTargets {
  hubspot?: { basePath?: string; accessToken: string };
  salesforce?: SalesforceConnectionOptions;
  /** Where they came from, for the report. */
  from: string;
}

/** `.baton/dev.json` as `baton dev` writes it (src/dev/dev-stack.ts, DevInfo). */
const devInfoSchema = z.object({
  hubspot: z.object({ basePath: z.string().min(1), accessToken: z.string().min(1) }),
  salesforce: z.object({ instanceUrl: z.string().min(1), accessToken: z.string().min(1), version: z.string().min(1) }),
});

export function liveTargetsFromEnv(config: BatonConfig): LiveTargets | undefined {
  const hs = config.hubspot;
  const sf = config.salesforce;
  const targets: LiveTargets = { from: 'the environment' };
  // Without a base path the official client talks to https://api.hubapi.com.
  if (hs.accessToken) targets.hubspot = { basePath: hs.basePath, accessToken: hs.accessToken };
  if (sf.instanceUrl && (sf.accessToken || sf.refreshToken)) {
    targets.salesforce = {
      instanceUrl: sf.instanceUrl,
      accessToken: sf.accessToken,
      version: sf.version,
      refreshToken: sf.refreshToken,
      clientId: sf.clientId,
      clientSecret: sf.clientSecret,
      loginUrl: sf.loginUrl,
    };
  }
  return targets.hubspot || targets.salesforce ? targets : undefined;
}

/** Reads dev.json; throws an Error whose message says what to do when it is missing or unreadable. */
export function liveTargetsFromDev(home: string): LiveTargets {
  const file = path.resolve(home, 'dev.json');
  if (!fs.existsSync(file))
    throw new Error(
      `${file} does not exist: start the local stack with \`baton dev\` (it writes that file), or leave out --dev`,
    );
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file} is not valid JSON (${reason(err)}); restart \`baton dev\` to rewrite it`);
  }
  const parsed = devInfoSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(
      `${file} does not have the hubspot and salesforce addresses \`baton dev\` writes; restart \`baton dev\` to rewrite it`,
    );
  const { hubspot, salesforce } = parsed.data;
  return { hubspot, salesforce, from: file };
}

export interface CheckReport {
  files: string[];
  problems: MappingProblem[];
  live: { hubspot: 'checked' | 'skipped'; salesforce: 'checked' | 'skipped'; notes: string[] };
}

/** All three passes over the object mappings of `folder`; the live pass only with clients. */
export async function checkMappingsFolder(folder: string, clients?: LiveSchemaReader): Promise<CheckReport> {
  const files = mappingFilesIn(folder);
  const problems: MappingProblem[] = [];
  const readable: { mapping: ObjectMapping; locate: Locator }[] = [];
  for (const f of files) {
    const file = path.join(folder, f);
    const result = parseObjectMappingFile(file);
    problems.push(...result.problems);
    if (result.structure && result.locate) readable.push({ mapping: result.structure, locate: result.locate });
  }
  // The handover policy is checked in the same run, with the same kind of report.
  const handoverFile = path.join(folder, 'handover.yaml');
  if (fs.existsSync(handoverFile)) {
    files.push('handover.yaml');
    problems.push(...parseHandoverPolicyFile(handoverFile).problems);
  }
  const live: CheckReport['live'] = { hubspot: 'skipped', salesforce: 'skipped', notes: [] };
  if (!clients || (!clients.hubspot && !clients.salesforce)) {
    live.notes.push(
      'the CRMs were not checked: set HUBSPOT_ACCESS_TOKEN and SALESFORCE_INSTANCE_URL / SALESFORCE_ACCESS_TOKEN, or pass --dev while `baton dev` runs',
    );
  } else if (readable.length > 0) {
    const read = await readLiveSchemas(
      readable.map((r) => r.mapping),
      clients,
    );
    live.notes.push(...read.notes);
    if (read.checked.hubspot) live.hubspot = 'checked';
    if (read.checked.salesforce) live.salesforce = 'checked';
    for (const { mapping, locate } of readable) problems.push(...checkMappingLive(mapping, locate, read.schemas));
  }
  return { files, problems: sortProblems(problems), live };
}

export interface CheckOptions {
  folder: string;
  json?: boolean;
  /** Check against the stack `baton dev` runs (dev.json under `home`). */
  dev?: boolean;
  config: BatonConfig;
  /**
   * Opens the CRMs named by the targets for reading their schemas; the caller builds it
   * (src/cli/mappings.ts passes src/crm/schema-reader.ts), without retries so a check answers at once.
   */
  connect: (targets: LiveTargets) => LiveSchemaReader;
}

/**
 * `baton mappings check`: prints every problem and returns the exit code, 1 when there is
 * an error and 0 otherwise (warnings included).
 */
export async function runMappingsCheck(
  options: CheckOptions,
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<number> {
  if (!fs.existsSync(options.folder)) {
    err(`${options.folder}: no such folder. Pass the mappings folder, or set BATON_MAPPINGS_DIR.\n`);
    return 1;
  }
  let targets: LiveTargets | undefined;
  try {
    targets = options.dev ? liveTargetsFromDev(options.config.home) : liveTargetsFromEnv(options.config);
  } catch (e) {
    err(`baton mappings check --dev: ${reason(e)}\n`);
    return 1;
  }
  const clients: LiveSchemaReader = targets ? options.connect(targets) : {};
  const report = await checkMappingsFolder(options.folder, clients);
  if (targets) {
    const against = [
      report.live.hubspot === 'checked' ? 'HubSpot' : undefined,
      report.live.salesforce === 'checked' ? 'Salesforce' : undefined,
    ].filter(Boolean);
    if (against.length > 0)
      report.live.notes.unshift(`checked against ${against.join(' and ')} (connection from ${targets.from})`);
  }
  const errors = report.problems.filter((p) => p.severity === 'error').length;
  if (options.json) out(`${JSON.stringify(report, null, 2)}\n`);
  else {
    if (report.problems.length > 0) out(`${formatProblems(report.problems)}\n`);
    for (const note of report.live.notes) out(`note: ${note}\n`);
    out(`${report.files.length} file(s) checked: ${errors} error(s), ${report.problems.length - errors} warning(s)\n`);
  }
  return errors > 0 ? 1 : 0;
}
