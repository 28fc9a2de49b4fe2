/**
 * crm-sandbox: a local, stateful HubSpot and Salesforce that the unmodified official clients
 * (and any other HTTP client) work against, with the vendors' status codes, error bodies,
 * paging, batch limits, rate limits, faults, webhooks and a simulation of marketing and
 * sales life. See README.md.
 */
export {
  startHubSpotSandbox,
  DEFAULT_HUBSPOT_SANDBOX_TOKEN,
  HubSpotState,
  SANDBOX_PORTAL_ID,
  applyPreset,
  seedDemo,
  DEMO_LISTS,
  DEMO_DYNAMIC_LIST,
  DEMO_WORKFLOWS,
  CONTACTS,
  COMPANIES,
  signatureV3,
  API_SOURCE,
  CALCULATED_SOURCE,
  IMPORT_SOURCE,
  SANDBOX_APP_ID,
  type HubSpotSandboxOptions,
  type RunningSandbox,
  type RunningHubSpotSandbox,
  type SerializedState,
  type HubSpotPreset,
  type CrmObjectType,
  type CrmRecord,
  type ChangeEvent,
  type WebhookOptions,
  type WebhookEvent,
  type DeliveryLogEntry,
  type WebhookSubscription,
  type WriteSource,
  type OwnerRecord,
  type ListRecord,
} from './hubspot';
export type { SubscriptionInput, WebhookTarget } from './hubspot/webhooks';
export {
  startSalesforceSandbox,
  DEFAULT_SALESFORCE_SANDBOX_TOKEN,
  SalesforceState,
  DEFAULT_OAUTH_CLIENT,
  INTEGRATION_USER,
  INACTIVE_USER,
  LEAD_QUEUE,
  DEMO_LEAD_COUNT,
  runSoql,
  querySoql,
  SoqlError,
  type SalesforceSandboxOptions,
  type RunningSalesforceSandbox,
  type SaveResult,
  type WriteContext,
  type Preset as SalesforcePreset,
  type OAuthClientOptions,
  type QueryRecord,
  type SoqlDataSource,
} from './salesforce';
export * from './faults';
export * from './simulate';
