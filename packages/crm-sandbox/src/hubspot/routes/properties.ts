/**
 * Property definitions: read them, and create custom ones so that writes to them pass
 * validation. https://developers.hubspot.com/docs/api/crm/properties
 */
import type { FastifyInstance } from 'fastify';
import { boolParam, parseInput, type Query, type SandboxContext } from '../context';
import { HubSpotApiError } from '../errors';
import type { PropertyDefinition } from '../properties';
import { propertyCreateInput } from '../schemas';
import type { CrmObjectType } from '../store';
import { toIso } from '../time';

export function presentProperty(d: PropertyDefinition): Record<string, unknown> {
  return {
    name: d.name,
    label: d.label,
    type: d.type,
    fieldType: d.fieldType,
    description: d.description,
    groupName: d.groupName,
    options: d.options.map((o) => ({ ...o })),
    displayOrder: d.displayOrder,
    calculated: d.calculated,
    externalOptions: d.referencedObjectType !== undefined,
    ...(d.referencedObjectType !== undefined ? { referencedObjectType: d.referencedObjectType } : {}),
    hasUniqueValue: d.hasUniqueValue,
    hidden: d.hidden,
    hubspotDefined: d.hubspotDefined,
    modificationMetadata: {
      archivable: !d.hubspotDefined,
      readOnlyDefinition: d.hubspotDefined,
      readOnlyValue: d.readOnlyValue || d.calculated,
    },
    formField: d.formField,
    createdAt: toIso(d.createdAt),
    updatedAt: toIso(d.updatedAt),
    archived: d.archived,
  };
}

export function registerPropertyRoutes(app: FastifyInstance, ctx: SandboxContext, type: CrmObjectType): void {
  const base = `/crm/v3/properties/${type}`;

  app.get<{ Querystring: Query }>(base, async (request) => {
    const archived = boolParam(request.query.archived);
    const results = ctx.state.properties[type]
      .list(true)
      .filter((d) => d.archived === archived)
      .map(presentProperty);
    return { results };
  });

  app.get<{ Params: { name: string } }>(`${base}/:name`, async (request) => {
    const d = ctx.state.properties[type].get(request.params.name);
    // Sandbox text for the 404 of an unknown property.
    if (!d)
      throw new HubSpotApiError(
        404,
        `Unable to find property ${request.params.name} for object type ${type}`,
        'OBJECT_NOT_FOUND',
      );
    return presentProperty(d);
  });

  app.post(base, async (request, reply) => {
    const input = parseInput(propertyCreateInput, request.body, 'PropertyCreate');
    if (ctx.state.properties[type].get(input.name)) {
      throw new HubSpotApiError(409, `Property named '${input.name}' already exists.`, 'OBJECT_ALREADY_EXISTS', {
        context: { name: [input.name] },
      });
    }
    const at = ctx.state.now();
    const definition: PropertyDefinition = {
      name: input.name,
      label: input.label,
      description: input.description ?? '',
      groupName: input.groupName,
      type: input.type,
      fieldType: input.fieldType,
      options: (input.options ?? []).map((o, i) => ({
        label: o.label,
        value: o.value,
        displayOrder: o.displayOrder ?? i,
        hidden: o.hidden ?? false,
        ...(o.description !== undefined ? { description: o.description } : {}),
      })),
      hubspotDefined: false,
      calculated: false,
      readOnlyValue: false,
      hasUniqueValue: input.hasUniqueValue ?? false,
      formField: input.formField ?? false,
      hidden: input.hidden ?? false,
      displayOrder: input.displayOrder ?? -1,
      createdAt: at,
      updatedAt: at,
      archived: false,
    };
    ctx.state.addProperty(type, definition);
    return reply.code(201).send(presentProperty(definition));
  });
}
