/**
 * Request bodies, in HubSpot's own field casing. Clients send numbers where the spec says
 * strings (ids, filter values), so those accept both and become text.
 */
import { z } from 'zod';
import { FILTER_OPERATORS } from './search';

const text = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const id = z.union([z.string(), z.number()]).transform(String);
const propertyValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const properties = z.record(z.string(), propertyValue);

export const simplePublicObjectInput = z.object({
  properties,
  // Associations on create are accepted and ignored until associations are modelled.
  associations: z.array(z.unknown()).optional(),
});

export const batchCreateInput = z.object({ inputs: z.array(simplePublicObjectInput) });

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
  filterGroups: z.array(z.object({ filters: z.array(filter) })).optional().nullable(),
  // Older examples put `filters` at the top level; HubSpot treats them as one more group.
  filters: z.array(filter).optional().nullable(),
  sorts: z.array(sort).optional().nullable(),
  properties: z.array(z.string()).optional().nullable(),
  limit: z.union([z.number().int(), z.string().regex(/^-?\d+$/).transform(Number)]).optional().nullable(),
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
