import { loadConfig } from '../config/env';
import { readDevInfo } from '../dev/dev-info';

/** CRM clients and store for a one-shot command: the `baton dev` stack (`--dev`) or the configured accounts. */
export async function crmConnections(opts: { dev?: boolean }) {
  const { createHubSpotClient } = await import('../crm/hubspot/client');
  const { createSalesforceConnection } = await import('../crm/salesforce/client');
  const { openStore } = await import('../store');
  if (opts.dev) {
    const config = loadConfig();
    const dev = readDevInfo(config.home);
    return {
      config,
      dev,
      hubspot: createHubSpotClient({ basePath: dev.hubspot.basePath, accessToken: dev.hubspot.accessToken }),
      salesforce: createSalesforceConnection(dev.salesforce),
      store: await openStore(config.databaseUrl),
    };
  }
  const config = loadConfig(process.env, { requireCrm: true });
  return {
    config,
    hubspot: createHubSpotClient({ basePath: config.hubspot.basePath, accessToken: config.hubspot.accessToken ?? '' }),
    salesforce: createSalesforceConnection({ ...config.salesforce, instanceUrl: config.salesforce.instanceUrl ?? '' }),
    store: await openStore(config.databaseUrl),
  };
}
