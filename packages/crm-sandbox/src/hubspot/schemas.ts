/**
 * Request bodies, in HubSpot's own field casing. Clients send numbers where the spec says
 * strings (ids, filter values), so those accept both and become text.
 */
import { z } from 'zod';
import { FILTER_OPERATORS } from './search';
import { SUBSCRIPTION_TYPES } from './webhooks';

const text = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const id = z.union([z.string(), z.number()]).transform(String);
const propertyValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const properties = z.record(z.string(), propertyValue);

const associationCategory = z.enum(['HUBSPOT_DEFINED', 'USER_DEFINED', 'INTEGRATOR_DEFINED']);

export const associationSpec = z.object({
  associationCategory,
  associationTypeId: z.number().int(),
});

/** The body of a labelled v4 association: a bare array of specs. */
export const associationSpecList = z.array(associationSpec).min(1);

/** Associations made together with a new record (`POST …/objects/contacts` and batch create). */
const createAssociations = z.array(z.object({ to: z.object({ id }), types: z.array(associationSpec).min(1) }));

export const simplePublicObjectInput = z.object({
  properties,
  associations: createAssociations.optional().nullable(),
  objectWriteTraceId: z.string().optional(),
});

export const batchCreateInput = z.object({ inputs: z.array(simplePublicObjectInput) });

export const batchAssociationReadInput = z.object({ inputs: z.array(z.object({ id, after: z.string().optional() })) });

export const batchAssociateDefaultInput = z.object({
  inputs: z.array(z.object({ from: z.object({ id }), to: z.object({ id }) })),
});

const batchInput = z.object({
  id,
  idProperty: z.string().optional(),
  objectWriteTraceId: z.string().optional(),
  properties,
});

export const batchUpdateInput = z.object({ inputs: z.array(batchInput) });

export const batchReadInput = z.object({
  inputs: z.array(z.object({ id })),
  properties: z.array(z.string()).optional(),
  propertiesWithHistory: z.array(z.string()).optional(),
  idProperty: z.string().optional(),
});

export const batchArchiveInput = z.object({ inputs: z.array(z.object({ id })) });
export const mergeInput = z.object({ primaryObjectId: id, objectIdToMerge: id });

const filter = z.object({
  propertyName: z.string(),
  operator: z.enum(FILTER_OPERATORS),
  value: text.optional().nullable(),
  highValue: text.optional().nullable(),
  values: z.array(text).optional().nullable(),
});

const sort = z.union([
  z.string(),
  z.object({ propertyName: z.string(), direction: z.enum(['ASCENDING', 'DESCENDING']).optional() }),
]);

const nonNegativeInt = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/).transform(Number)]);

export const searchInput = z.object({
  filterGroups: z
    .array(z.object({ filters: z.array(filter) }))
    .optional()
    .nullable(),
  // Older examples put `filters` at the top level; HubSpot treats them as one more group.
  filters: z.array(filter).optional().nullable(),
  sorts: z.array(sort).optional().nullable(),
  properties: z.array(z.string()).optional().nullable(),
  limit: z
    .union([
      z.number().int(),
      z
        .string()
        .regex(/^-?\d+$/)
        .transform(Number),
    ])
    .optional()
    .nullable(),
  after: nonNegativeInt.optional().nullable(),
  query: z.string().optional().nullable(),
});

/** Lists take a bare JSON array of record ids. */
export const recordIdList = z.array(id);

export const propertyCreateInput = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'Property names are lower case letters, digits and underscores'),
  label: z.string().min(1),
  type: z.enum(['string', 'number', 'date', 'datetime', 'enumeration', 'bool']),
  fieldType: z.string().min(1),
  groupName: z.string().min(1),
  description: z.string().optional(),
  options: z
    .array(
      z.object({
        label: z.string(),
        value: z.string(),
        displayOrder: z.number().optional(),
        hidden: z.boolean().optional(),
        description: z.string().optional(),
      }),
    )
    .optional(),
  displayOrder: z.number().optional(),
  hasUniqueValue: z.boolean().optional(),
  hidden: z.boolean().optional(),
  formField: z.boolean().optional(),
});

export const seedInput = z.object({ preset: z.enum(['demo', 'empty']) });

const processingType = z.enum(['MANUAL', 'SNAPSHOT', 'DYNAMIC']);

export const listCreateInput = z.object({
  name: z.string().min(1),
  objectTypeId: z.string().min(1),
  processingType,
  filterBranch: z.unknown().optional(),
  listFolderId: z.number().optional(),
  customProperties: z.record(z.string(), z.string()).optional(),
  membershipSettings: z.unknown().optional(),
  listPermissions: z.unknown().optional(),
});

export const listSearchInput = z.object({
  query: z.string().optional().nullable(),
  processingTypes: z.array(processingType).optional().nullable(),
  listIds: z.array(id).optional().nullable(),
  offset: z.number().int().nonnegative().optional().nullable(),
  count: z.number().int().positive().optional().nullable(),
  additionalProperties: z.array(z.string()).optional().nullable(),
  sort: z.string().optional().nullable(),
});

/** Sandbox-only: a list of any processing type; DYNAMIC ones take CRM-search filter groups. */
export const sandboxListInput = z.object({
  name: z.string().min(1),
  objectTypeId: z.string().default('0-1'),
  processingType: processingType.default('MANUAL'),
  listId: z.string().regex(/^\d+$/).optional(),
  filterGroups: z
    .array(
      z.object({
        filters: z.array(
          z.object({
            propertyName: z.string(),
            operator: z.enum(FILTER_OPERATORS),
            value: text.optional(),
            highValue: text.optional(),
            values: z.array(text).optional(),
          }),
        ),
      }),
    )
    .optional(),
});

/** Sandbox-only: a legacy workflow. */
export const sandboxWorkflowInput = z.object({
  id: z.number().int().positive().optional(),
  name: z.string().min(1),
  description: z.string().default(''),
  type: z.enum(['DRIP_DELAY', 'STATIC_ANCHOR', 'PROPERTY_ANCHOR']).default('DRIP_DELAY'),
  enabled: z.boolean().default(true),
});

const webhookTarget = {
  targetUrl: z.string().url(),
  clientSecret: z.string().min(1),
  appId: z.number().int().positive().optional(),
};

export const webhookSettingsInput = z.object(webhookTarget);

/** Sandbox-only: a webhook subscription, optionally with the app's target settings. */
export const webhookSubscriptionInput = z
  .object({
    subscriptionType: z.enum(SUBSCRIPTION_TYPES),
    propertyName: z.string().min(1).optional(),
    active: z.boolean().optional(),
    targetUrl: webhookTarget.targetUrl.optional(),
    clientSecret: webhookTarget.clientSecret.optional(),
    appId: webhookTarget.appId,
  })
  .refine((s) => s.propertyName === undefined || s.subscriptionType.endsWith('.propertyChange'), {
    message: 'propertyName applies to propertyChange subscriptions only',
    path: ['propertyName'],
  })
  .refine((s) => (s.targetUrl === undefined) === (s.clientSecret === undefined), {
    message: 'targetUrl and clientSecret go together',
    path: ['clientSecret'],
  });
