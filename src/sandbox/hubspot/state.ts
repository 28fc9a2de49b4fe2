import { z } from 'zod';
import { ListStore } from './lists';
import { OwnerStore } from './owners';
import { defaultContactProperties, PropertyRegistry, type PropertyDefinition } from './properties';
import { CONTACTS, ObjectStore, type ChangeEvent, type CrmObjectType } from './store';

/** The portal id the sandbox reports (validation errors carry one). */
export const SANDBOX_PORTAL_ID = 900_000_001;

/** First contact id: HubSpot ids are numeric strings; these just look plausible. */
export const FIRST_CONTACT_ID = 1001;

export type ChangeListener = (event: ChangeEvent) => void;

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
  private readonly listeners = new Set<ChangeListener>();

  constructor(readonly now: () => number = Date.now) {
    const emit = (event: ChangeEvent): void => this.emit(event);
    this.objects = { contacts: new ObjectStore(CONTACTS, emit, FIRST_CONTACT_ID) };
    this.properties = { contacts: new PropertyRegistry(defaultContactProperties(now())) };
    this.owners = new OwnerStore(() => this.emit({ kind: 'owners', at: this.now() }));
    this.lists = new ListStore(() => this.emit({ kind: 'lists', at: this.now() }));
    // A deleted contact leaves its lists, as in HubSpot.
    this.onChange((e) => {
      if (e.kind === 'archived' && e.objectType === 'contacts') this.lists.removeEverywhere(e.id);
    });
  }

  get contacts(): ObjectStore {
    return this.objects.contacts;
  }

  /** Subscribes to every change (persistence today; webhooks later). Returns the unsubscribe. */
  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  addProperty(objectType: CrmObjectType, definition: PropertyDefinition): void {
    this.properties[objectType].add(definition);
    this.emit({ kind: 'properties', at: this.now() });
  }

  /** An empty portal: no records, owners or lists; HubSpot's own property definitions only. */
  clear(): void {
    for (const store of Object.values(this.objects)) store.clear();
    this.properties.contacts = new PropertyRegistry(defaultContactProperties(this.now()));
    this.owners.clear();
    this.lists.clear();
    this.emit({ kind: 'reset', at: this.now() });
  }

  toJSON(): SerializedState {
    const { lists, memberships } = this.lists.toJSON();
    return {
      version: 1,
      objects: { contacts: this.objects.contacts.toJSON() },
      customProperties: { contacts: this.properties.contacts.custom() },
      owners: this.owners.list(),
      lists,
      memberships,
    };
  }

  /** Replaces everything with a saved state (no change events: nothing new to save). */
  load(saved: SerializedState): void {
    this.objects.contacts.load(saved.objects.contacts.records, saved.objects.contacts.nextId);
    const registry = new PropertyRegistry(defaultContactProperties(this.now()));
    for (const d of saved.customProperties.contacts) registry.add(d);
    this.properties.contacts = registry;
    this.owners.load(saved.owners);
    this.lists.load(saved.lists, saved.memberships);
  }

  private emit(event: ChangeEvent): void {
    for (const l of this.listeners) l(event);
  }
}

const recordSchema = z.object({
  id: z.string().regex(/^\d+$/),
  properties: z.record(z.string(), z.string()),
  createdAt: z.number(),
  updatedAt: z.number(),
  archived: z.boolean(),
  archivedAt: z.number().optional(),
});

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
  objects: z.object({
    contacts: z.object({ nextId: z.number().int(), records: z.array(recordSchema) }),
  }),
  customProperties: z.object({ contacts: z.array(propertySchema) }),
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
    }),
  ),
  memberships: z.record(z.string(), z.array(z.tuple([z.string(), z.number()]))),
});

export type SerializedState = z.infer<typeof serializedStateSchema>;
