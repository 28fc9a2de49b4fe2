/**
 * Contact workflows as the legacy Workflows API v2 sees them: which exist, and which
 * contacts are enrolled. Baton's handover unenrolls a lead from marketing workflows.
 * https://developers.hubspot.com/docs/methods/workflows/workflows_overview
 */

/** Legacy workflow types: DRIP_DELAY (delay-based), STATIC_ANCHOR (fixed date), PROPERTY_ANCHOR (date property). */
export type WorkflowType = 'DRIP_DELAY' | 'STATIC_ANCHOR' | 'PROPERTY_ANCHOR';

export interface WorkflowRecord {
  /** Legacy workflow ids are numbers. */
  id: number;
  name: string;
  description: string;
  type: WorkflowType;
  enabled: boolean;
  insertedAt: number;
  updatedAt: number;
}

export class WorkflowStore {
  private readonly workflows = new Map<number, WorkflowRecord>();
  /** workflow id → contact id → enrolled at. */
  private readonly enrolled = new Map<number, Map<string, number>>();

  constructor(private readonly changed: () => void) {}

  add(workflow: WorkflowRecord): void {
    this.workflows.set(workflow.id, workflow);
    if (!this.enrolled.has(workflow.id)) this.enrolled.set(workflow.id, new Map());
    this.changed();
  }

  get(id: number): WorkflowRecord | undefined {
    return this.workflows.get(id);
  }

  list(): WorkflowRecord[] {
    return [...this.workflows.values()].sort((a, b) => a.id - b.id);
  }

  /** Returns false when the contact was enrolled already (a no-op). */
  enroll(workflowId: number, contactId: string, at: number): boolean {
    const m = this.enrolled.get(workflowId);
    if (!m || m.has(contactId)) return false;
    m.set(contactId, at);
    this.changed();
    return true;
  }

  /** Returns false when the contact was not enrolled. */
  unenroll(workflowId: number, contactId: string): boolean {
    const removed = this.enrolled.get(workflowId)?.delete(contactId) ?? false;
    if (removed) this.changed();
    return removed;
  }

  isEnrolled(workflowId: number, contactId: string): boolean {
    return this.enrolled.get(workflowId)?.has(contactId) ?? false;
  }

  /** The workflows a contact is enrolled in, by workflow id. */
  enrollmentsOf(contactId: string): WorkflowRecord[] {
    return this.list().filter((w) => this.enrolled.get(w.id)?.has(contactId));
  }

  enrolledCount(workflowId: number): number {
    return this.enrolled.get(workflowId)?.size ?? 0;
  }

  /** A deleted contact leaves every workflow. */
  removeEverywhere(contactId: string): void {
    let any = false;
    for (const m of this.enrolled.values()) any = m.delete(contactId) || any;
    if (any) this.changed();
  }

  clear(): void {
    this.workflows.clear();
    this.enrolled.clear();
  }

  toJSON(): { workflows: WorkflowRecord[]; enrollments: Record<string, [string, number][]> } {
    const enrollments: Record<string, [string, number][]> = {};
    for (const [id, m] of this.enrolled) enrollments[String(id)] = [...m.entries()];
    return { workflows: this.list(), enrollments };
  }

  load(
    workflows: readonly WorkflowRecord[],
    enrollments: Readonly<Record<string, readonly (readonly [string, number])[]>>,
  ): void {
    this.clear();
    for (const w of workflows) {
      this.workflows.set(w.id, { ...w });
      this.enrolled.set(w.id, new Map(enrollments[String(w.id)] ?? []));
    }
  }
}
