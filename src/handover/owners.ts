import type { OwnerTarget } from '../config/handover-file';
import type { HandoverCrm } from './crm';
import { HandoverError } from './errors';
import type { RepStatus } from './routing';
import type { OwnerRef, OwnerVia } from './types';

/** Salesforce owners as routing needs them: users by work email with their availability, queues by name. */

type Salesforce = HandoverCrm['salesforce'];

export interface RepUser {
  id: string;
  status: RepStatus;
}

/**
 * The Salesforce users behind these emails (lower case), with their status: `inactive` is
 * IsActive = false, `away` the policy's checkbox (`routing > availability > away_field`).
 */
export async function repsByEmail(
  salesforce: Salesforce,
  emails: readonly string[],
  awayField: string | undefined,
): Promise<Map<string, RepUser>> {
  const out = new Map<string, RepUser>();
  const unique = [...new Set(emails.map((e) => e.trim().toLowerCase()))];
  if (unique.length === 0) return out;
  const users = await salesforce.usersByEmail(unique, awayField ? [awayField] : []);
  for (const user of users) {
    const status: RepStatus = !user.isActive
      ? 'inactive'
      : awayField && user.values[awayField] === 'true'
        ? 'away'
        : 'available';
    // Prefer an active user when two share an address.
    if (!out.has(user.email) || status === 'available') out.set(user.email, { id: user.id, status });
  }
  return out;
}

export async function queueIdOf(salesforce: Salesforce, name: string): Promise<string> {
  const id = await salesforce.queueIdByName(name);
  if (!id) throw new HandoverError(`Salesforce has no queue named "${name}"`, 'UnknownOwner');
  return id;
}

/** A user or queue the policy names (a fallback, the escalation target, an admin's choice). */
export async function resolveOwner(
  salesforce: Salesforce,
  target: OwnerTarget,
  via: OwnerVia,
  awayField: string | undefined,
): Promise<OwnerRef> {
  if (target.kind === 'queue')
    return { ownerId: await queueIdOf(salesforce, target.name), kind: 'queue', email: null, via };
  const email = target.email.toLowerCase();
  const user = (await repsByEmail(salesforce, [target.email], awayField)).get(email);
  if (!user) throw new HandoverError(`Salesforce has no user with the email ${target.email}`, 'UnknownOwner');
  return { ownerId: user.id, kind: 'user', email, via };
}
