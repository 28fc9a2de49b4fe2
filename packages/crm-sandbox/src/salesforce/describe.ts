/**
 * Describe results built from the schema model: `GET /sobjects` (describeGlobal) and
 * `GET /sobjects/{Type}/describe` (DescribeSObjectResult), with the keys jsforce and
 * Baton's adapter read.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm
 */
import { type FieldSchema, type FieldType, type ObjectSchema, type SchemaRegistry, TEXT_TYPES } from './schema';

const SOAP_TYPES: Record<FieldType, string> = {
  id: 'tns:ID',
  reference: 'tns:ID',
  string: 'xsd:string',
  textarea: 'xsd:string',
  email: 'xsd:string',
  phone: 'xsd:string',
  url: 'xsd:string',
  picklist: 'xsd:string',
  multipicklist: 'xsd:string',
  combobox: 'xsd:string',
  boolean: 'xsd:boolean',
  int: 'xsd:int',
  double: 'xsd:double',
  currency: 'xsd:double',
  percent: 'xsd:double',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
};

const AUDIT_FIELDS = new Set(['CreatedById', 'LastModifiedById']);

function objectUrls(name: string, version: string): Record<string, string> {
  const base = `/services/data/v${version}/sobjects/${name}`;
  return {
    compactLayouts: `${base}/describe/compactLayouts`,
    rowTemplate: `${base}/{ID}`,
    approvalLayouts: `${base}/describe/approvalLayouts`,
    defaultValues: `${base}/defaultValues?recordTypeId&fields`,
    listviews: `${base}/listviews`,
    describe: `${base}/describe`,
    quickActions: `${base}/quickActions`,
    layouts: `${base}/describe/layouts`,
    sobject: base,
  };
}

function describeField(f: FieldSchema): Record<string, unknown> {
  const text = TEXT_TYPES.has(f.type) || f.type === 'id' || f.type === 'reference';
  return {
    aggregatable: f.type !== 'textarea' || f.length <= 255,
    aiPredictionField: false,
    autoNumber: false,
    byteLength: text ? f.length * 3 : 0,
    calculated: f.calculated,
    calculatedFormula: null,
    cascadeDelete: false,
    caseSensitive: f.caseSensitive,
    compoundFieldName: null,
    controllerName: null,
    createable: f.createable,
    custom: f.custom,
    defaultValue: f.type === 'boolean' ? f.defaultValue : null,
    defaultValueFormula: null,
    defaultedOnCreate: f.defaultedOnCreate,
    dependentPicklist: false,
    deprecatedAndHidden: false,
    digits: f.digits,
    displayLocationInDecimal: false,
    encrypted: false,
    externalId: f.externalId,
    extraTypeInfo:
      f.type === 'textarea'
        ? f.length > 255
          ? 'plaintextarea'
          : null
        : f.name === 'Name' && f.calculated
          ? 'personname'
          : null,
    filterable: f.filterable,
    filteredLookupInfo: null,
    formulaTreatNullNumberAsZero: false,
    groupable: f.sortable && f.type !== 'datetime' && f.type !== 'double' && f.type !== 'currency',
    highScaleNumber: false,
    htmlFormatted: false,
    idLookup: f.idLookup,
    inlineHelpText: null,
    label: f.label,
    length: f.length,
    mask: null,
    maskType: null,
    name: f.name,
    nameField: f.nameField,
    namePointing: f.referenceTo.length > 1,
    nillable: f.nillable,
    permissionable: f.nillable && f.createable && !f.custom ? true : f.custom,
    picklistValues: f.picklistValues.map((p) => ({
      active: p.active,
      defaultValue: p.defaultValue,
      label: p.label,
      validFor: null,
      value: p.value,
    })),
    polymorphicForeignKey: f.referenceTo.length > 1,
    precision: f.precision,
    queryByDistance: false,
    referenceTargetField: null,
    referenceTo: f.referenceTo,
    relationshipName: f.relationshipName,
    relationshipOrder: null,
    restrictedDelete: false,
    restrictedPicklist: f.restrictedPicklist,
    scale: f.scale,
    searchPrefilterable: false,
    soapType: SOAP_TYPES[f.type],
    sortable: f.sortable,
    type: f.type,
    unique: f.unique,
    updateable: f.updateable,
    writeRequiresMasterRead: false,
  };
}

/** The describeGlobal entry of one object (also `objectDescribe` of `GET /sobjects/{Type}`). */
export function describeBasics(s: ObjectSchema, version: string): Record<string, unknown> {
  return {
    activateable: false,
    associateEntityType: null,
    associateParentEntity: null,
    createable: s.createable,
    custom: s.custom,
    customSetting: false,
    deepCloneable: false,
    deletable: s.deletable,
    deprecatedAndHidden: false,
    feedEnabled: false,
    hasSubtypes: false,
    isInterface: false,
    isSubtype: false,
    keyPrefix: s.keyPrefix,
    label: s.label,
    labelPlural: s.labelPlural,
    layoutable: true,
    mergeable: s.name === 'Lead' || s.name === 'Account' || s.name === 'Contact',
    mruEnabled: true,
    name: s.name,
    queryable: s.queryable,
    replicateable: true,
    retrieveable: true,
    searchable: true,
    triggerable: true,
    undeletable: s.deletable,
    updateable: s.updateable,
    urls: objectUrls(s.name, version),
  };
}

export function describeGlobal(registry: SchemaRegistry, version: string): Record<string, unknown> {
  return {
    encoding: 'UTF-8',
    maxBatchSize: 200,
    sobjects: registry.all().map((s) => describeBasics(s, version)),
  };
}

export function describeSObject(
  registry: SchemaRegistry,
  schema: ObjectSchema,
  version: string,
): Record<string, unknown> {
  const childRelationships = registry.all().flatMap((child) =>
    child.fields
      .filter((f) => f.referenceTo.includes(schema.name) && !AUDIT_FIELDS.has(f.name))
      .map((f) => ({
        cascadeDelete: false,
        childSObject: child.name,
        deprecatedAndHidden: false,
        field: f.name,
        junctionIdListNames: [],
        junctionReferenceTo: [],
        relationshipName:
          child.name === schema.name
            ? `Child${child.labelPlural.replace(/\s/g, '')}`
            : child.labelPlural.replace(/\s/g, ''),
        restrictedDelete: false,
      })),
  );
  return {
    ...describeBasics(schema, version),
    actionOverrides: [],
    childRelationships,
    compactLayoutable: true,
    defaultImplementation: null,
    extendedBy: null,
    extendsInterfaces: null,
    fields: schema.fields.map(describeField),
    implementedBy: null,
    implementsInterfaces: null,
    listviewable: null,
    lookupLayoutable: null,
    namedLayoutInfos: [],
    networkScopeFieldName: null,
    recordTypeInfos: [
      {
        active: true,
        available: true,
        defaultRecordTypeMapping: true,
        developerName: 'Master',
        master: true,
        name: 'Master',
        recordTypeId: '012000000000000AAA',
        urls: { layout: `/services/data/v${version}/sobjects/${schema.name}/describe/layouts/012000000000000AAA` },
      },
    ],
    searchLayoutable: true,
    sobjectDescribeOption: 'FULL',
    supportedScopes: [
      { label: 'All ' + schema.labelPlural.toLowerCase(), name: 'everything' },
      { label: 'My ' + schema.labelPlural.toLowerCase(), name: 'mine' },
    ],
  };
}
