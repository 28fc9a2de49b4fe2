/**
 * Associations between records (contact ↔ company), stored in both directions so that
 * either side is read in O(its associations). https://developers.hubspot.com/docs/api/crm/associations
 */
import type { CrmObjectType } from './store';

export type AssociationCategory = 'HUBSPOT_DEFINED' | 'USER_DEFINED' | 'INTEGRATOR_DEFINED';

export interface AssociationTypeDefinition {
  from: CrmObjectType;
  to: CrmObjectType;
  typeId: number;
  category: AssociationCategory;
  /** null for the unlabeled (default) association, as the v4 API reports it. */
  label: string | null;
  /** The same association seen from the other side. */
  inverseTypeId: number;
}

/**
 * HubSpot's contact↔company types: 1/2 are the primary company, 279/280 the unlabeled
 * default. https://developers.hubspot.com/docs/api/crm/associations#association-type-id-values
 */
export const ASSOCIATION_TYPES: readonly AssociationTypeDefinition[] = [
  { from: 'contacts', to: 'companies', typeId: 279, category: 'HUBSPOT_DEFINED', label: null, inverseTypeId: 280 },
  { from: 'contacts', to: 'companies', typeId: 1, category: 'HUBSPOT_DEFINED', label: 'Primary', inverseTypeId: 2 },
  { from: 'companies', to: 'contacts', typeId: 280, category: 'HUBSPOT_DEFINED', label: null, inverseTypeId: 279 },
  { from: 'companies', to: 'contacts', typeId: 2, category: 'HUBSPOT_DEFINED', label: 'Primary', inverseTypeId: 1 },
];

/** The unlabeled type that `associations/default` creates, per direction. */
export function defaultTypeOf(from: CrmObjectType, to: CrmObjectType): AssociationTypeDefinition | undefined {
  return ASSOCIATION_TYPES.find((t) => t.from === from && t.to === to && t.label === null);
}

export function associationType(
  from: CrmObjectType,
  to: CrmObjectType,
  typeId: number,
): AssociationTypeDefinition | undefined {
  return ASSOCIATION_TYPES.find((t) => t.from === from && t.to === to && t.typeId === typeId);
}

/** A saved association: one direction only; the inverse is rebuilt on load. */
export type SerializedAssociation = [
  from: CrmObjectType,
  fromId: string,
  to: CrmObjectType,
  toId: string,
  typeIds: number[],
];

type Targets = Map<string, Set<number>>;

export class AssociationStore {
  /** source type → source id → target type → target id → association type ids. */
  private readonly edges = new Map<CrmObjectType, Map<string, Map<CrmObjectType, Targets>>>();

  constructor(private readonly changed: () => void) {}

  /**
   * Adds association types between two records, each with its inverse. Returns the types
   * that were new (a repeated PUT is a no-op, as in HubSpot).
   */
  associate(
    from: CrmObjectType,
    fromId: string,
    to: CrmObjectType,
    toId: string,
    typeIds: readonly number[],
  ): number[] {
    const added: number[] = [];
    for (const typeId of typeIds) {
      const def = associationType(from, to, typeId);
      if (!def) continue;
      if (this.add(from, fromId, to, toId, typeId)) added.push(typeId);
      this.add(to, toId, from, fromId, def.inverseTypeId);
    }
    if (added.length > 0) this.changed();
    return added;
  }

  /** Removes every association between two records, both directions. */
  disassociate(from: CrmObjectType, fromId: string, to: CrmObjectType, toId: string): boolean {
    const a = this.targets(from, fromId, to)?.delete(toId) ?? false;
    const b = this.targets(to, toId, from)?.delete(fromId) ?? false;
    if (a || b) this.changed();
    return a || b;
  }

  /** Targets of one type, in id order, with their association type ids. */
  list(from: CrmObjectType, fromId: string, to: CrmObjectType): [toId: string, typeIds: number[]][] {
    const targets = this.targets(from, fromId, to);
    if (!targets) return [];
    return [...targets.entries()]
      .filter(([, types]) => types.size > 0)
      .map(([id, types]): [string, number[]] => [id, [...types].sort((a, b) => a - b)])
      .sort((a, b) => Number(a[0]) - Number(b[0]));
  }

  /** A deleted record loses its associations, as in HubSpot. */
  removeRecord(type: CrmObjectType, id: string): void {
    const own = this.edges.get(type)?.get(id);
    if (!own) return;
    for (const [toType, targets] of own) {
      for (const toId of targets.keys()) this.targets(toType, toId, type)?.delete(id);
    }
    this.edges.get(type)?.delete(id);
    this.changed();
  }

  clear(): void {
    this.edges.clear();
  }

  toJSON(): SerializedAssociation[] {
    const out: SerializedAssociation[] = [];
    for (const [from, byId] of this.edges) {
      for (const [fromId, byType] of byId) {
        for (const [to, targets] of byType) {
          // Each pair is saved once, from the side whose type name sorts first; load adds the inverse.
          if (from > to) continue;
          for (const [toId, types] of targets) if (types.size > 0) out.push([from, fromId, to, toId, [...types]]);
        }
      }
    }
    return out;
  }

  load(saved: readonly SerializedAssociation[]): void {
    this.clear();
    for (const [from, fromId, to, toId, typeIds] of saved) {
      for (const typeId of typeIds) {
        const def = associationType(from, to, typeId);
        if (!def) continue;
        this.add(from, fromId, to, toId, typeId);
        this.add(to, toId, from, fromId, def.inverseTypeId);
      }
    }
  }

  private targets(from: CrmObjectType, fromId: string, to: CrmObjectType): Targets | undefined {
    return this.edges.get(from)?.get(fromId)?.get(to);
  }

  private add(from: CrmObjectType, fromId: string, to: CrmObjectType, toId: string, typeId: number): boolean {
    let byId = this.edges.get(from);
    if (!byId) {
      byId = new Map();
      this.edges.set(from, byId);
    }
    let byType = byId.get(fromId);
    if (!byType) {
      byType = new Map();
      byId.set(fromId, byType);
    }
    let targets = byType.get(to);
    if (!targets) {
      targets = new Map();
      byType.set(to, targets);
    }
    let types = targets.get(toId);
    if (!types) {
      types = new Set();
      targets.set(toId, types);
    }
    if (types.has(typeId)) return false;
    types.add(typeId);
    return true;
  }
}
