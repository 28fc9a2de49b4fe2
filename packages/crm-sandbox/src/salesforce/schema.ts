/**
 * The sObject model of the sandbox: objects, their fields and the facts the API derives
 * from them (required fields, lengths, picklists, lookups). Routes, SOQL and describe all
 * read this one model, so a field added here is queryable, writable and described at once.
 */

export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'email'
  | 'phone'
  | 'url'
  | 'picklist'
  | 'multipicklist'
  | 'combobox'
  | 'boolean'
  | 'int'
  | 'double'
  | 'currency'
  | 'percent'
  | 'date'
  | 'datetime'
  | 'reference';

/** A stored field value. Dates are `YYYY-MM-DD`, datetimes `YYYY-MM-DDTHH:mm:ss.SSS+0000` (UTC). */
export type FieldValue = string | number | boolean | null;

/** One stored record, keyed by canonical field name. Records are replaced, never mutated. */
export type SObjectRecord = Readonly<Record<string, FieldValue>>;

export interface PicklistValue {
  value: string;
  label: string;
  active: boolean;
  defaultValue: boolean;
}

export interface FieldSchema {
  name: string;
  label: string;
  type: FieldType;
  length: number;
  precision: number;
  scale: number;
  digits: number;
  nillable: boolean;
  createable: boolean;
  updateable: boolean;
  defaultedOnCreate: boolean;
  calculated: boolean;
  custom: boolean;
  externalId: boolean;
  idLookup: boolean;
  unique: boolean;
  nameField: boolean;
  filterable: boolean;
  sortable: boolean;
  caseSensitive: boolean;
  picklistValues: PicklistValue[];
  restrictedPicklist: boolean;
  /** Value used on create when none is sent (picklist default, false for checkboxes). */
  defaultValue: FieldValue;
  referenceTo: string[];
  relationshipName: string | null;
}

export interface ObjectSchema {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  custom: boolean;
  createable: boolean;
  updateable: boolean;
  deletable: boolean;
  queryable: boolean;
  fields: FieldSchema[];
  fieldsByLowerName: Map<string, FieldSchema>;
  /** Lookup fields by lower-case relationship name (`owner` → OwnerId). */
  relationshipsByLowerName: Map<string, FieldSchema>;
}

/** Textual types compare case-insensitively in SOQL and accept LIKE. */
export const TEXT_TYPES: ReadonlySet<FieldType> = new Set<FieldType>([
  'string',
  'textarea',
  'email',
  'phone',
  'url',
  'picklist',
  'multipicklist',
  'combobox',
]);
export const NUMBER_TYPES: ReadonlySet<FieldType> = new Set<FieldType>(['int', 'double', 'currency', 'percent']);
export const ID_TYPES: ReadonlySet<FieldType> = new Set<FieldType>(['id', 'reference']);

export interface FieldOptions {
  label?: string;
  length?: number;
  precision?: number;
  scale?: number;
  /** Required on create (nillable false, createable, no default). */
  required?: boolean;
  nillable?: boolean;
  createable?: boolean;
  updateable?: boolean;
  defaultedOnCreate?: boolean;
  calculated?: boolean;
  externalId?: boolean;
  idLookup?: boolean;
  unique?: boolean;
  nameField?: boolean;
  picklist?: readonly string[];
  defaultPicklistValue?: string;
  restrictedPicklist?: boolean;
  defaultValue?: FieldValue;
  referenceTo?: readonly string[];
  relationshipName?: string;
}

const DEFAULT_LENGTH: Partial<Record<FieldType, number>> = {
  id: 18,
  reference: 18,
  string: 255,
  textarea: 255,
  email: 80,
  phone: 40,
  url: 255,
  picklist: 255,
  multipicklist: 4099,
  combobox: 255,
};

function labelFromName(name: string): string {
  const base = name.replace(/__c$/, '').replace(/Id$/, ' ID').replace(/_/g, ' ');
  return base.replace(/([a-z])([A-Z])/g, '$1 $2').trim();
}

/** A field added at run time (custom fields), kept so the state file can recreate it. */
export interface FieldDefinition {
  object: string;
  name: string;
  type: FieldType;
  options: FieldOptions;
}

export function field(name: string, type: FieldType, options: FieldOptions = {}): FieldSchema {
  const readOnly = type === 'id' || options.calculated === true;
  const createable = options.createable ?? !readOnly;
  const updateable = options.updateable ?? !readOnly;
  const picklistValues = (options.picklist ?? []).map((value) => ({
    value,
    label: value,
    active: true,
    defaultValue: value === options.defaultPicklistValue,
  }));
  const defaultValue =
    options.defaultValue !== undefined
      ? options.defaultValue
      : options.defaultPicklistValue !== undefined
        ? options.defaultPicklistValue
        : type === 'boolean'
          ? false
          : null;
  const nillable =
    options.nillable ?? (options.required === true || type === 'boolean' || type === 'id' ? false : true);
  const defaultedOnCreate =
    options.defaultedOnCreate ?? (type === 'boolean' || options.defaultPicklistValue !== undefined || type === 'id');
  const numeric = NUMBER_TYPES.has(type);
  return {
    name,
    label: options.label ?? labelFromName(name),
    type,
    length: options.length ?? DEFAULT_LENGTH[type] ?? 0,
    precision: numeric ? (options.precision ?? 18) : 0,
    scale: numeric ? (options.scale ?? (type === 'int' ? 0 : 2)) : 0,
    digits: type === 'int' ? (options.precision ?? 9) : 0,
    nillable,
    createable,
    updateable,
    defaultedOnCreate,
    calculated: options.calculated ?? false,
    custom: name.endsWith('__c'),
    externalId: options.externalId ?? false,
    idLookup: options.idLookup ?? type === 'id',
    unique: options.unique ?? false,
    nameField: options.nameField ?? false,
    filterable: type !== 'textarea' || (options.length ?? 255) <= 255,
    sortable: type !== 'textarea' || (options.length ?? 255) <= 255,
    caseSensitive: false,
    picklistValues,
    restrictedPicklist: options.restrictedPicklist ?? false,
    defaultValue,
    referenceTo: [...(options.referenceTo ?? [])],
    relationshipName: options.relationshipName ?? null,
  };
}

export interface ObjectOptions {
  label?: string;
  labelPlural?: string;
  createable?: boolean;
  updateable?: boolean;
  deletable?: boolean;
}

export function defineObject(
  name: string,
  keyPrefix: string,
  fields: FieldSchema[],
  options: ObjectOptions = {},
): ObjectSchema {
  const schema: ObjectSchema = {
    name,
    label: options.label ?? labelFromName(name),
    labelPlural: options.labelPlural ?? `${options.label ?? labelFromName(name)}s`,
    keyPrefix,
    custom: name.endsWith('__c'),
    createable: options.createable ?? true,
    updateable: options.updateable ?? true,
    deletable: options.deletable ?? true,
    queryable: true,
    fields: [],
    fieldsByLowerName: new Map(),
    relationshipsByLowerName: new Map(),
  };
  for (const f of fields) addField(schema, f);
  return schema;
}

export function addField(schema: ObjectSchema, f: FieldSchema): void {
  const key = f.name.toLowerCase();
  if (schema.fieldsByLowerName.has(key)) throw new Error(`Field ${schema.name}.${f.name} is already defined`);
  schema.fields.push(f);
  schema.fieldsByLowerName.set(key, f);
  if (f.relationshipName) schema.relationshipsByLowerName.set(f.relationshipName.toLowerCase(), f);
}

/** Fields every object carries. */
export function auditFields(): FieldSchema[] {
  return [
    field('IsDeleted', 'boolean', { label: 'Deleted', createable: false, updateable: false }),
    field('CreatedDate', 'datetime', {
      label: 'Created Date',
      nillable: false,
      createable: false,
      updateable: false,
      defaultedOnCreate: true,
    }),
    field('CreatedById', 'reference', {
      label: 'Created By ID',
      nillable: false,
      createable: false,
      updateable: false,
      defaultedOnCreate: true,
      referenceTo: ['User'],
      relationshipName: 'CreatedBy',
    }),
    field('LastModifiedDate', 'datetime', {
      label: 'Last Modified Date',
      nillable: false,
      createable: false,
      updateable: false,
      defaultedOnCreate: true,
    }),
    field('LastModifiedById', 'reference', {
      label: 'Last Modified By ID',
      nillable: false,
      createable: false,
      updateable: false,
      defaultedOnCreate: true,
      referenceTo: ['User'],
      relationshipName: 'LastModifiedBy',
    }),
    field('SystemModstamp', 'datetime', {
      label: 'System Modstamp',
      nillable: false,
      createable: false,
      updateable: false,
      defaultedOnCreate: true,
    }),
  ];
}

/** A registry of object schemas with case-insensitive lookup (API names are case-insensitive). */
export class SchemaRegistry {
  private readonly byLowerName = new Map<string, ObjectSchema>();
  private readonly byPrefix = new Map<string, ObjectSchema>();

  constructor(objects: readonly ObjectSchema[]) {
    for (const o of objects) this.add(o);
  }

  add(schema: ObjectSchema): void {
    this.byLowerName.set(schema.name.toLowerCase(), schema);
    this.byPrefix.set(schema.keyPrefix, schema);
  }

  get(name: string): ObjectSchema | undefined {
    return this.byLowerName.get(name.toLowerCase());
  }

  byKeyPrefix(prefix: string): ObjectSchema | undefined {
    return this.byPrefix.get(prefix);
  }

  all(): ObjectSchema[] {
    return [...this.byLowerName.values()];
  }
}

export function getField(schema: ObjectSchema, name: string): FieldSchema | undefined {
  return schema.fieldsByLowerName.get(name.toLowerCase());
}
