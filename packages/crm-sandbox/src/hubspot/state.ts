import { z } from 'zod';
import { AssociationStore } from './associations';
import { defaultCompanyProperties } from './company-properties';
import { DynamicLists } from './dynamic-lists';
import { ListStore, type ListRecord } from './lists';
import { OwnerStore } from './owners';
import { defaultContactProperties, PropertyRegistry, type PropertyDefinition } from './properties';
import { FILTER_OPERATORS } from './search';
import { COMPANIES, CONTACTS, ObjectStore, type ChangeEvent, type CrmObjectType } from './store';
import { WorkflowStore } from './workflows';

/** The portal id the sandbox reports (validation errors carry one). */
export const SANDBOX_PORTAL_ID = 900_000_001;

/** First contact id: HubSpot ids are numeric strings; these just look plausible. */
export const FIRST_CONTACT_ID = 1001;
/** Companies count from their own range, so a contact id never names a company by accident. */
export const FIRST_COMPANY_ID = 5_000_001;

/**
 * `quiet` is set for changes made while seeding a preset: they are saved like any other,
 * but nobody outside the portal hears of them (no webhooks for 240 demo contacts).
 */
export type ChangeListener = (event: ChangeEvent, quiet: boolean) => void;

function defaultProperties(type: CrmObjectType, at: number): PropertyRegistry {
  return new PropertyRegistry(type === 'contacts' ? defaultContactProperties(at) : defaultCompanyProperties(at));
}

/**
 * Everything a HubSpot portal holds, independent of HTTP: CRM objects by type, their
 * property definitions, owners, lists and list memberships. Routes read and write it
 * through the services; tests may seed it directly.
 */
export class HubSpotState {
  readonly objects: Record<CrmObjectType, ObjectStore>;
  readonly properties: Record<CrmObjectType, PropertyRegistry>;
  readonly owners: OwnerStore;
  readonly lists: ListStore;
  readonly associations: AssociationStore;
  readonly workflows: WorkflowStore;
  private readonly dynamicLists: DynamicLists;
  private readonly listeners = new Set<ChangeListener>();
  private quietDepth = 0;

  constructor(readonly now: () => number = Date.now) {
    const emit = (event: ChangeEvent): void => this.emit(event);
    this.objects = {
      contacts: new ObjectStore(CONTACTS, emit, FIRST_CONTACT_ID),
      companies: new ObjectStore(COMPANIES, emit, FIRST_COMPANY_ID),
    };
    this.properties = {
      contacts: defaultProperties('contacts', now()),
      companies: defaultProperties('companies', now()),
    };
    this.owners = new OwnerStore(() => this.emit({ kind: 'owners', at: this.now() }));
    this.lists = new ListStore(() => this.emit({ kind: 'lists', at: this.now() }));
    this.associations = new AssociationStore(() => this.emit({ kind: 'associations', at: this.now() }));
    this.workflows = new WorkflowStore(() => this.emit({ kind: 'workflows', at: this.now() }));
    this.dynamicLists = new DynamicLists(
      this.lists,
      (objectTypeId) => Object.values(this.objects).find((s) => s.config.objectTypeId === objectTypeId),
      (objectTypeId) => {
        const store = Object.values(this.objects).find((s) => s.config.objectTypeId === objectTypeId);
        return store ? this.properties[store.config.name] : undefined;
      },
    );
    this.onChange((e) => {
      if (e.kind === 'created' || e.kind === 'updated') {
        const store = this.objects[e.objectType];
        const record = store.get(e.id);
        if (record) this.dynamicLists.recordChanged(store, record, e.at);
        return;
      }
      // A deleted record leaves its lists, workflows and associations, as in HubSpot.
      if (e.kind !== 'archived') return;
      this.lists.removeEverywhere(e.id, this.objects[e.objectType].config.objectTypeId);
      this.associations.removeRecord(e.objectType, e.id);
      if (e.objectType === 'contacts') this.workflows.removeEverywhere(e.id);
    });
  }

  get contacts(): ObjectStore {
    return this.objects.contacts;
  }

  get companies(): ObjectStore {
    return this.objects.companies;
  }

  /** Adds a list; a DYNAMIC one is filled from its filters at once. */
  addList(list: ListRecord): void {
    this.lists.add(list);
    this.dynamicLists.rebuild(list, this.now());
  }

  /** Runs `fill` with change events marked quiet (see ChangeListener). */
  quietly<T>(fill: () => T): T {
    this.quietDepth++;
    try {
      return fill();
    } finally {
      this.quietDepth--;
    }
  }

  /** Subscribes to every change (persistence, webhooks). Returns the unsubscribe. */
  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  addProperty(objectType: CrmObjectType, definition: PropertyDefinition): void {
    this.properties[objectType].add(definition);
    this.emit({ kind: 'properties', at: this.now() });
  }

  /** An empty portal: no records, owners, lists or workflows; HubSpot's own property definitions only. */
  clear(): void {
    for (const store of Object.values(this.objects)) store.clear();
    this.properties.contacts = defaultProperties('contacts', this.now());
    this.properties.companies = defaultProperties('companies', this.now());
    this.owners.clear();
    this.lists.clear();
    this.associations.clear();
    this.workflows.clear();
    this.dynamicLists.clear();
    this.emit({ kind: 'reset', at: this.now() });
  }

  toJSON(): SerializedState {
    const { lists, memberships } = this.lists.toJSON();
    const { workflows, enrollments } = this.workflows.toJSON();
    return {
      version: 1,
      objects: { contacts: this.objects.contacts.toJSON(), companies: this.objects.companies.toJSON() },
      customProperties: { contacts: this.properties.contacts.custom(), companies: this.properties.companies.custom() },
      owners: this.owners.list(),
      lists,
      memberships,
      associations: this.associations.toJSON(),
      workflows,
      enrollments,
    };
  }

  /**
   * Replaces everything with a saved state (no change events: nothing new to save).
   * Files written before companies, associations and workflows existed load as empty ones.
   */
  load(saved: SerializedState): void {
    for (const type of ['contacts', 'companies'] as const) {
      const objects = saved.objects[type] ?? { records: [], nextId: 0 };
      this.objects[type].load(
        objects.records.map((r) => ({ ...r, history: r.history ?? [] })),
        objects.nextId,
      );
      const registry = defaultProperties(type, this.now());
      for (const d of saved.customProperties[type] ?? []) registry.add(d);
      this.properties[type] = registry;
    }
    this.owners.load(saved.owners);
    this.lists.load(saved.lists, saved.memberships);
    this.dynamicLists.clear();
    this.associations.load(saved.associations ?? []);
    this.workflows.load(saved.workflows ?? [], saved.enrollments ?? {});
  }

  private emit(event: ChangeEvent): void {
    const quiet = this.quietDepth > 0;
    for (const l of this.listeners) l(event, quiet);
  }
}

const filterSchema = z.object({
  propertyName: z.string(),
  operator: z.enum(FILTER_OPERATORS),
  value: z.string().optional(),
  highValue: z.string().optional(),
  values: z.array(z.string()).optional(),
});

const changeSetSchema = z.object({
  at: z.number(),
  source: z.object({ sourceType: z.string(), sourceId: z.string().optional() }),
  values: z.record(z.string(), z.string()),
});

const recordSchema = z.object({
  id: z.string().regex(/^\d+$/),
  properties: z.record(z.string(), z.string()),
  createdAt: z.number(),
  updatedAt: z.number(),
  archived: z.boolean(),
  archivedAt: z.number().optional(),
  history: z.array(changeSetSchema).optional(),
});

const objectsSchema = z.object({ nextId: z.number().int(), records: z.array(recordSchema) });
const objectTypeSchema = z.enum(['contacts', 'companies']);

const optionSchema = z.object({
  label: z.string(),
  value: z.string(),
  displayOrder: z.number(),
  hidden: z.boolean(),
  description: z.string().optional(),
});

const propertySchema = z.object({
  name: z.string(),
  label: z.string(),
  description: z.string(),
  groupName: z.string(),
  type: z.enum(['string', 'number', 'date', 'datetime', 'enumeration', 'bool']),
  fieldType: z.string(),
  options: z.array(optionSchema),
  hubspotDefined: z.boolean(),
  calculated: z.boolean(),
  readOnlyValue: z.boolean(),
  hasUniqueValue: z.boolean(),
  formField: z.boolean(),
  hidden: z.boolean(),
  displayOrder: z.number(),
  createdAt: z.number(),
  updatedAt: z.number(),
  archived: z.boolean(),
  referencedObjectType: z.string().optional(),
});

/** The state file's format; checked on load so a hand-edited file fails with a clear error. */
export const serializedStateSchema = z.object({
  version: z.literal(1),
  objects: z.object({ contacts: objectsSchema, companies: objectsSchema.optional() }),
  customProperties: z.object({ contacts: z.array(propertySchema), companies: z.array(propertySchema).optional() }),
  owners: z.array(
    z.object({
      id: z.string(),
      email: z.string(),
      firstName: z.string(),
      lastName: z.string(),
      userId: z.number(),
      createdAt: z.number(),
      updatedAt: z.number(),
      archived: z.boolean(),
      teams: z.array(z.object({ id: z.string(), name: z.string(), primary: z.boolean() })),
    }),
  ),
  lists: z.array(
    z.object({
      listId: z.string(),
      name: z.string(),
      objectTypeId: z.string(),
      processingType: z.enum(['MANUAL', 'SNAPSHOT', 'DYNAMIC']),
      createdAt: z.number(),
      updatedAt: z.number(),
      listVersion: z.number(),
      deletedAt: z.number().optional(),
      filterGroups: z.array(z.object({ filters: z.array(filterSchema) })).optional(),
    }),
  ),
  memberships: z.record(z.string(), z.array(z.tuple([z.string(), z.number()]))),
  associations: z
    .array(z.tuple([objectTypeSchema, z.string(), objectTypeSchema, z.string(), z.array(z.number().int())]))
    .optional(),
  workflows: z
    .array(
      z.object({
        id: z.number().int(),
        name: z.string(),
        description: z.string(),
        type: z.enum(['DRIP_DELAY', 'STATIC_ANCHOR', 'PROPERTY_ANCHOR']),
        enabled: z.boolean(),
        insertedAt: z.number(),
        updatedAt: z.number(),
      }),
    )
    .optional(),
  enrollments: z.record(z.string(), z.array(z.tuple([z.string(), z.number()]))).optional(),
});

export type SerializedState = z.infer<typeof serializedStateSchema>;
