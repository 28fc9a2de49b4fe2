/**
 * Limits and faults for the CRM sandboxes, set at start (`faults` option) or at run time
 * (`PUT /__sandbox/config`). See README.md in this folder.
 */
export {
  FAULT_PROFILES,
  FaultConfigError,
  faultsFromFlags,
  HUBSPOT_PROFILES,
  resolveHubSpotFaults,
  resolveSalesforceFaults,
  SALESFORCE_PROFILES,
  type FaultProfile,
  type HubSpotFaultConfig,
  type HubSpotFaultsInput,
  type SalesforceFaultConfig,
  type SalesforceFaultsInput,
} from './config';
export { CONFIG_ROUTE } from './http';
export {
  HubSpotFaults,
  rateLimitBody,
  registerHubSpotFaults,
  searchIndexView,
  type HubSpotRateLimitBody,
  type HubSpotRecordError,
} from './hubspot';
export { registerSalesforceFaults, SalesforceFaults } from './salesforce';
