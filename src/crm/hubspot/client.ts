import { Client } from '@hubspot/api-client';

export interface HubSpotConnectionOptions {
  basePath?: string;
  accessToken: string;
  /** Retries of 429/5xx inside the official client; settings are process-wide (CRM_API_NOTES). */
  retries?: number;
}

/** The one place that builds the official HubSpot client. */
export function createHubSpotClient(options: HubSpotConnectionOptions): Client {
  return new Client({
    accessToken: options.accessToken,
    // basePath replaces https://api.hubapi.com and must have no trailing slash.
    ...(options.basePath ? { basePath: options.basePath.replace(/\/+$/, '') } : {}),
    numberOfApiCallRetries: options.retries ?? 3,
  });
}
