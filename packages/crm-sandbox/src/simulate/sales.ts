/**
 * Sales life in the Salesforce sandbox: a rep who is given an uncontacted Lead calls or
 * emails it some time later and logs the touch as a completed Task (WhoId = the Lead,
 * OwnerId = the rep), which is how Baton sees first touch and stops the SLA clock.
 *
 * Writes go through the org's save rules (`state.create` / `state.update`), as the rep's
 * own user, so they are validated, stamped and persisted like any API write.
 */
import { KEY_PREFIXES } from '../salesforce/ids';
import type { SalesforceState } from '../salesforce/state';
import { formatDate } from '../salesforce/values';
import type { Dice } from './random';

export interface SalesOptions {
  /** How long after a rep gets a Lead the first touch is logged. Default 5 minutes. */
  taskDelayMs?: number;
  /** Up to this much more, drawn per Lead. Default half of taskDelayMs. */
  taskDelayJitterMs?: number;
  /** Share of Leads a rep gets to at all; the rest breach their SLA. Default 0.9. */
  touchProbability?: number;
  /** Share of touches that are calls (the rest are emails). Default 0.6. */
  callShare?: number;
  /** Also move the Lead to 'Working - Contacted', as reps do. Default true. */
  markWorking?: boolean;
}

export interface SalesReport {
  tasksLogged: number;
  /** Saves the org rejected (a rep deactivated meanwhile, …); the Lead is not retried. */
  rejected: number;
}

/** Status of a Lead nobody has contacted yet: the only ones reps pick up. */
const UNCONTACTED = 'Open - Not Contacted';
const WORKING = 'Working - Contacted';
const EMAIL_SUBJECTS = [
  'Email: Following up on your request',
  'Email: Quick introduction',
  'Email: Next steps',
] as const;

interface Assignment {
  ownerId: string;
  /** Epoch ms when the rep logs the touch; undefined when the rep never gets to it. */
  dueAt: number | undefined;
}

export class SalesLife {
  private readonly delayMs: number;
  private readonly jitterMs: number;
  private readonly touchProbability: number;
  private readonly callShare: number;
  private readonly markWorking: boolean;
  /** Per Lead id: the rep it was seen with and when that rep acts. */
  private readonly assignments = new Map<string, Assignment>();

  constructor(
    private readonly state: SalesforceState,
    private readonly dice: Dice,
    options: SalesOptions = {},
  ) {
    this.delayMs = options.taskDelayMs ?? 5 * 60_000;
    this.jitterMs = options.taskDelayJitterMs ?? this.delayMs / 2;
    this.touchProbability = options.touchProbability ?? 0.9;
    this.callShare = options.callShare ?? 0.6;
    this.markWorking = options.markWorking ?? true;
  }

  tick(now: number): SalesReport {
    const report: SalesReport = { tasksLogged: 0, rejected: 0 };
    const due: { leadId: string; ownerId: string }[] = [];
    const seen = new Set<string>();
    // A tick looks at every Lead; owners repeat, so each one is looked up once.
    const reps = new Map<string, boolean>();
    const isRep = (ownerId: string): boolean => {
      let rep = reps.get(ownerId);
      if (rep === undefined) reps.set(ownerId, (rep = this.isRep(ownerId)));
      return rep;
    };
    for (const lead of this.state.scan('Lead')) {
      const leadId = String(lead.Id);
      const ownerId = typeof lead.OwnerId === 'string' ? lead.OwnerId : '';
      if (lead.IsConverted === true || lead.Status !== UNCONTACTED || !isRep(ownerId)) continue;
      seen.add(leadId);
      const known = this.assignments.get(leadId);
      // A new Lead for a rep, or one reassigned to another rep: that rep's clock starts now.
      if (!known || known.ownerId !== ownerId) {
        const acts = this.dice.chance(this.touchProbability);
        const dueAt = acts ? now + this.delayMs + Math.floor(this.dice.unit() * this.jitterMs) : undefined;
        this.assignments.set(leadId, { ownerId, dueAt });
        continue;
      }
      if (known.dueAt !== undefined && now >= known.dueAt) due.push({ leadId, ownerId });
    }
    // Leads that left the pool (contacted, converted, deleted, given to a queue) are forgotten.
    for (const id of this.assignments.keys()) if (!seen.has(id)) this.assignments.delete(id);

    for (const { leadId, ownerId } of due) {
      const assignment = this.assignments.get(leadId);
      if (assignment) assignment.dueAt = undefined;
      if (this.logTouch(leadId, ownerId, now)) report.tasksLogged++;
      else report.rejected++;
    }
    return report;
  }

  /** An active user other than the integration user: a person who works leads. */
  private isRep(ownerId: string): boolean {
    if (!ownerId.startsWith(KEY_PREFIXES.User) || ownerId === this.state.apiUserId) return false;
    return this.state.get('User', ownerId)?.IsActive === true;
  }

  private logTouch(leadId: string, ownerId: string, now: number): boolean {
    const call = this.dice.chance(this.callShare);
    const subject = call ? 'Call' : (this.dice.pick(EMAIL_SUBJECTS) ?? EMAIL_SUBJECTS[0]);
    const ctx = { userId: ownerId, now, autoAssign: false };
    const task = this.state.create(
      this.state.deserialize('Task', {
        WhoId: leadId,
        OwnerId: ownerId,
        Subject: subject,
        Status: 'Completed',
        Priority: 'Normal',
        TaskSubtype: call ? 'Call' : 'Email',
        ActivityDate: formatDate(now),
        Description: call
          ? 'First call: introduced ourselves and agreed on a follow-up.'
          : 'First email sent with the requested material.',
      }),
      ctx,
    );
    if (!task.success) return false;
    if (this.markWorking) this.state.update(this.state.deserialize('Lead', { Status: WORKING }), leadId, ctx);
    return true;
  }
}
