export interface OwnerTeam {
  id: string;
  name: string;
  primary: boolean;
}

export interface OwnerRecord {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  userId: number;
  createdAt: number;
  updatedAt: number;
  archived: boolean;
  teams: OwnerTeam[];
}

/** HubSpot owners (the users records can be assigned to), in id order. */
export class OwnerStore {
  private readonly byId = new Map<string, OwnerRecord>();

  constructor(private readonly changed: () => void) {}

  add(owner: OwnerRecord): void {
    this.byId.set(owner.id, owner);
    this.changed();
  }

  get(id: string): OwnerRecord | undefined {
    return this.byId.get(id);
  }

  byUserId(userId: number): OwnerRecord | undefined {
    for (const o of this.byId.values()) if (o.userId === userId) return o;
    return undefined;
  }

  list(): OwnerRecord[] {
    return [...this.byId.values()].sort((a, b) => Number(a.id) - Number(b.id));
  }

  /** Active owners, the options of `hubspot_owner_id`. */
  active(): OwnerRecord[] {
    return this.list().filter((o) => !o.archived);
  }

  clear(): void {
    this.byId.clear();
  }

  load(owners: readonly OwnerRecord[]): void {
    this.byId.clear();
    for (const o of owners) this.byId.set(o.id, { ...o, teams: o.teams.map((t) => ({ ...t })) });
  }
}
