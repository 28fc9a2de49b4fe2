/**
 * Problems of the handover no retry can fix: the policy file is wrong, Salesforce refused a
 * record, or an owner the policy names does not exist. The activities turn them into
 * non-retryable Temporal failures of the same `type`, which the workflow's retry policies
 * also name.
 */
export const HANDOVER_PROBLEMS = ['InvalidPolicy', 'InvalidLead', 'UnknownOwner'] as const;
export type HandoverProblem = (typeof HANDOVER_PROBLEMS)[number];

export class HandoverError extends Error {
  constructor(
    message: string,
    readonly type: HandoverProblem,
  ) {
    super(message);
    this.name = 'HandoverError';
  }
}
