/**
 * The Partner SOAP endpoint, `POST /services/Soap/u/{version}`, for the calls REST lacks:
 * `convertLead` (jsforce: `conn.soap.convertLead(...)`) and `merge` (`conn.soap.merge(...)`).
 *
 * The session travels in the envelope's SessionHeader, not in an Authorization header.
 * Failures of the whole call are SOAP faults with HTTP 500; jsforce refreshes the session
 * when the fault code is `sf:INVALID_SESSION_ID`, as the platform answers an expired one.
 * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_convertlead.htm
 * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_merge.htm
 * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_header_sessionheader.htm
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { convertLead, type LeadConvertRequest, type LeadConvertResult } from '../convert';
import { mergeRecords, type MergeRequest, type MergeResult } from '../merge';
import type { SandboxContext } from '../routes/context';
import { childNamed, childrenNamed, escapeXml, isNil, parseXml, type XmlElement, XmlError } from './xml';

const PARTNER_NS = 'urn:partner.soap.sforce.com';
const SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const XML_CONTENT_TYPE = 'text/xml;charset=UTF-8';
/** convertLead takes at most 100 LeadConverts per call. */
const MAX_LEAD_CONVERTS = 100;
/** merge takes at most 200 MergeRequests per call. */
const MAX_MERGE_REQUESTS = 200;

const VersionParamsSchema = z.object({ version: z.string().regex(/^\d{2,3}\.\d$/) });

/** The fields of one LeadConvert as they arrive: text, checked before use. */
const LeadConvertSchema = z.object({
  leadId: z.string({ error: 'leadId is required' }).min(1, 'leadId is required'),
  convertedStatus: z.string({ error: 'convertedStatus is required' }).min(1, 'convertedStatus is required'),
  accountId: z.string().optional(),
  contactId: z.string().optional(),
  ownerId: z.string().optional(),
  opportunityName: z.string().optional(),
  doNotCreateOpportunity: z.enum(['true', 'false']).optional(),
  overwriteLeadSource: z.enum(['true', 'false']).optional(),
  sendNotificationEmail: z.enum(['true', 'false']).optional(),
});

class SoapFault extends Error {
  constructor(
    readonly faultCode: string,
    readonly faultString: string,
    /** `sf:` faults carry an ApiFault detail with the bare exception code. */
    readonly exceptionCode?: string,
  ) {
    super(faultString);
  }
}

function envelope(header: string, body: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV_NS}" xmlns="${PARTNER_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
    (header === '' ? '' : `<soapenv:Header>${header}</soapenv:Header>`) +
    `<soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`
  );
}

function faultXml(fault: SoapFault): string {
  const detail = fault.exceptionCode
    ? `<detail><sf:UnexpectedErrorFault xsi:type="sf:UnexpectedErrorFault"><sf:exceptionCode>${fault.exceptionCode}</sf:exceptionCode>` +
      `<sf:exceptionMessage>${escapeXml(fault.faultString.replace(/^[A-Z_]+: /, ''))}</sf:exceptionMessage></sf:UnexpectedErrorFault></detail>`
    : '';
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV_NS}" xmlns:sf="urn:fault.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
    `<soapenv:Body><soapenv:Fault><faultcode>${escapeXml(fault.faultCode)}</faultcode><faultstring>${escapeXml(fault.faultString)}</faultstring>${detail}</soapenv:Fault></soapenv:Body></soapenv:Envelope>`
  );
}

const nil = (name: string) => `<${name} xsi:nil="true"/>`;
const optional = (name: string, value: string | null) =>
  value === null ? nil(name) : `<${name}>${escapeXml(value)}</${name}>`;

function resultXml(r: LeadConvertResult): string {
  const errors = r.errors
    .map(
      (e) =>
        `<errors>${e.fields.map((f) => `<fields>${escapeXml(f)}</fields>`).join('')}<message>${escapeXml(e.message)}</message><statusCode>${e.statusCode}</statusCode></errors>`,
    )
    .join('');
  return (
    '<result>' +
    optional('accountId', r.accountId) +
    optional('contactId', r.contactId) +
    errors +
    optional('leadId', r.leadId) +
    optional('opportunityId', r.opportunityId) +
    `<success>${String(r.success)}</success>` +
    '</result>'
  );
}

function errorsXml(errors: MergeResult['errors']): string {
  return errors
    .map(
      (e) =>
        `<errors>${e.fields.map((f) => `<fields>${escapeXml(f)}</fields>`).join('')}<message>${escapeXml(e.message)}</message><statusCode>${e.statusCode}</statusCode></errors>`,
    )
    .join('');
}

function mergeResultXml(r: MergeResult): string {
  return (
    '<result>' +
    errorsXml(r.errors) +
    optional('id', r.id) +
    r.mergedRecordIds.map((id) => `<mergedRecordIds>${escapeXml(id)}</mergedRecordIds>`).join('') +
    `<success>${String(r.success)}</success>` +
    r.updatedRelatedIds.map((id) => `<updatedRelatedIds>${escapeXml(id)}</updatedRelatedIds>`).join('') +
    '</result>'
  );
}

/**
 * Reads one `<mergeRequests>` element. Its masterRecord is a Partner sObject: `type`, `Id`,
 * `fieldsToNull` and one element per field, all as text; booleans and numbers are turned
 * into JSON values here so the master's values are checked like a REST update's.
 */
function readMergeRequest(element: XmlElement, ctx: SandboxContext): MergeRequest {
  const master = childNamed(element, 'masterRecord');
  const type = childNamed(master, 'type')?.text.trim();
  const masterId = childNamed(master, 'Id')?.text.trim();
  if (!master || !type)
    throw new SoapFault(
      'sf:INVALID_TYPE',
      'INVALID_TYPE: masterRecord must name its sObject type in <type>',
      'INVALID_TYPE',
    );
  if (!masterId)
    throw new SoapFault(
      'sf:MISSING_ARGUMENT',
      'MISSING_ARGUMENT: masterRecord must carry the Id of the master record',
      'MISSING_ARGUMENT',
    );
  const schema = ctx.state.objectSchema(type);
  if (!schema)
    throw new SoapFault('sf:INVALID_TYPE', `INVALID_TYPE: sObject type '${type}' is not supported.`, 'INVALID_TYPE');
  const masterValues: Record<string, unknown> = {};
  for (const child of master.children) {
    if (child.local === 'type' || child.local === 'Id') continue;
    if (child.local === 'fieldsToNull') {
      masterValues[child.text.trim()] = null;
      continue;
    }
    const f = schema.fieldsByLowerName.get(child.local.toLowerCase());
    const text = child.text;
    if (isNil(child)) masterValues[child.local] = null;
    else if (f?.type === 'boolean') masterValues[child.local] = text.trim() === 'true';
    else if (f && ['int', 'double', 'currency', 'percent'].includes(f.type))
      masterValues[child.local] = Number(text.trim());
    else masterValues[child.local] = text;
  }
  return {
    objectName: type,
    masterId,
    masterValues,
    recordToMergeIds: childrenNamed(element, 'recordToMergeIds').map((e) => e.text.trim()),
  };
}

/** Reads one `<leadConverts>` element; nil and absent fields are both "not given". */
function readLeadConvert(element: XmlElement): LeadConvertRequest {
  const raw: Record<string, string> = {};
  for (const child of element.children) if (!isNil(child)) raw[child.local] = child.text.trim();
  const parsed = LeadConvertSchema.safeParse(raw);
  if (!parsed.success) {
    throw new SoapFault(
      'sf:INVALID_FIELD',
      `INVALID_FIELD: ${parsed.error.issues[0]?.message ?? 'invalid LeadConvert'}`,
      'INVALID_FIELD',
    );
  }
  const v = parsed.data;
  const request: LeadConvertRequest = { leadId: v.leadId, convertedStatus: v.convertedStatus };
  if (v.accountId) request.accountId = v.accountId;
  if (v.contactId) request.contactId = v.contactId;
  if (v.ownerId) request.ownerId = v.ownerId;
  if (v.opportunityName) request.opportunityName = v.opportunityName;
  if (v.doNotCreateOpportunity) request.doNotCreateOpportunity = v.doNotCreateOpportunity === 'true';
  if (v.overwriteLeadSource) request.overwriteLeadSource = v.overwriteLeadSource === 'true';
  return request;
}

export function registerPartnerSoapRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  for (const type of ['text/xml', 'application/soap+xml']) {
    app.addContentTypeParser(type, { parseAs: 'string' }, (_request, body, done) =>
      done(null, typeof body === 'string' ? body : body.toString('utf8')),
    );
  }

  const send = (reply: FastifyReply, status: number, xml: string) => {
    const { apiUsage, dailyApiLimit } = ctx.state;
    return reply
      .code(status)
      .header('content-type', XML_CONTENT_TYPE)
      .header('Sforce-Limit-Info', `api-usage=${apiUsage}/${dailyApiLimit}`)
      .send(xml);
  };

  const handle = (body: unknown): string => {
    if (typeof body !== 'string' || body.trim() === '') throw new SoapFault('soapenv:Client', 'Premature end of file.');
    let root: XmlElement;
    try {
      root = parseXml(body);
    } catch (err) {
      if (err instanceof XmlError) throw new SoapFault('soapenv:Client', err.message);
      throw err;
    }
    if (root.local !== 'Envelope')
      throw new SoapFault('soapenv:Client', `Element {${SOAP_ENV_NS}}Envelope expected, found ${root.name}`);
    const sessionId = childNamed(childNamed(childNamed(root, 'Header'), 'SessionHeader'), 'sessionId')?.text.trim();
    if (!sessionId || !ctx.sessions.isValid(sessionId)) {
      throw new SoapFault(
        'sf:INVALID_SESSION_ID',
        'INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session',
        'INVALID_SESSION_ID',
      );
    }
    ctx.state.apiUsage++;
    const operation = childNamed(root, 'Body')?.children[0];
    const limit = () =>
      `<LimitInfoHeader><limitInfo><current>${ctx.state.apiUsage}</current><limit>${ctx.state.dailyApiLimit}</limit><type>API REQUESTS</type></limitInfo></LimitInfoHeader>`;
    if (operation?.local === 'merge') {
      const elements = childrenNamed(operation, 'mergeRequests');
      if (elements.length > MAX_MERGE_REQUESTS) {
        throw new SoapFault(
          'sf:EXCEEDED_ID_LIMIT',
          `EXCEEDED_ID_LIMIT: record limit reached. cannot submit more than ${MAX_MERGE_REQUESTS} records into this call`,
          'EXCEEDED_ID_LIMIT',
        );
      }
      const requests = elements.map((e) => readMergeRequest(e, ctx));
      const wctx = { userId: ctx.state.apiUserId, now: ctx.now() };
      const results = requests.map((r) => mergeRecords(ctx.state, r, wctx));
      return envelope(limit(), `<mergeResponse>${results.map(mergeResultXml).join('')}</mergeResponse>`);
    }
    if (operation?.local !== 'convertLead') {
      const name = operation?.local ?? '';
      throw new SoapFault(
        'soapenv:Client',
        `No operation available for request {${PARTNER_NS}}${name}, please check the WSDL for the service.`,
      );
    }
    const converts = childrenNamed(operation, 'leadConverts');
    if (converts.length > MAX_LEAD_CONVERTS) {
      throw new SoapFault(
        'sf:EXCEEDED_ID_LIMIT',
        `EXCEEDED_ID_LIMIT: record limit reached. cannot submit more than ${MAX_LEAD_CONVERTS} records into this call`,
        'EXCEEDED_ID_LIMIT',
      );
    }
    const requests = converts.map(readLeadConvert);
    const wctx = { userId: ctx.state.apiUserId, now: ctx.now() };
    const results = requests.map((r) => convertLead(ctx.state, r, wctx));
    return envelope(limit(), `<convertLeadResponse>${results.map(resultXml).join('')}</convertLeadResponse>`);
  };

  const route = async (request: { params: unknown; body: unknown }, reply: FastifyReply) => {
    ctx.stats.total++;
    ctx.stats.requests['POST /services/Soap/u/:version'] =
      (ctx.stats.requests['POST /services/Soap/u/:version'] ?? 0) + 1;
    if (!VersionParamsSchema.safeParse(request.params).success)
      return send(reply, 404, faultXml(new SoapFault('soapenv:Client', 'Unknown API version')));
    try {
      return send(reply, 200, handle(request.body));
    } catch (err) {
      if (err instanceof SoapFault) return send(reply, 500, faultXml(err));
      throw err;
    }
  };
  // Login answers a server URL that ends in the org id; jsforce builds the bare form.
  app.post('/services/Soap/u/:version', route);
  app.post('/services/Soap/u/:version/:orgId', route);
}
