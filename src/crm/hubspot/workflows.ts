import type { Client } from '@hubspot/api-client';
import { z } from 'zod';
import { hubspotRequest, parseAnswer, type HubSpotEndpoint } from './request';

/**
 * The legacy Workflows API v2: the only API that unenrolls a contact from a workflow. The
 * official client has no generated API for it, so it goes through `client.apiRequest`.
 * Sequences have no unenroll API at all (a suppression property covers them).
 */

export interface Enrollment {
  /** The workflow's id. */
  id: string;
  name: string | null;
}

const ENROLLMENTS: HubSpotEndpoint = {
  method: 'GET',
  path: '/automation/v2/workflows/enrollments/contacts/{vid}',
  scopes: ['automation'],
};
const enrollmentsSchema = z.array(
  z.object({
    id: z.union([z.string(), z.number()]).transform(String),
    name: z
      .string()
      .nullish()
      .transform((n) => n ?? null),
  }),
);

/**
 * The workflows a contact is enrolled in now.
 * https://legacydocs.hubspot.com/docs/methods/workflows/get_current_enrollments_for_contact
 */
export async function workflowEnrollments(client: Client, contactId: string): Promise<Enrollment[]> {
  const answer = await hubspotRequest(
    client,
    ENROLLMENTS,
    `/automation/v2/workflows/enrollments/contacts/${encodeURIComponent(contactId)}`,
    { expect: [200] },
  );
  return parseAnswer(ENROLLMENTS, answer, enrollmentsSchema);
}

const UNENROLL: HubSpotEndpoint = {
  method: 'DELETE',
  path: '/automation/v2/workflows/{workflowId}/enrollments/contacts/{email}',
  scopes: ['automation'],
};

/**
 * Takes a contact, named by email, out of a workflow. True when it left now; false when it
 * was not enrolled (404: a retry, or HubSpot finished the workflow meanwhile), which is
 * what the caller wanted too.
 * https://legacydocs.hubspot.com/docs/methods/workflows/unenroll_contact
 */
export async function unenrollContact(client: Client, workflowId: string, email: string): Promise<boolean> {
  const answer = await hubspotRequest(
    client,
    UNENROLL,
    `/automation/v2/workflows/${encodeURIComponent(workflowId)}/enrollments/contacts/${encodeURIComponent(email)}`,
    { expect: [200, 204, 404] },
  );
  return answer.status !== 404;
}
