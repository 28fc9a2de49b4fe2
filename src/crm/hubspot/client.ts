import { Client } from '@hubspot/api-client';

export interface HubSpotConnectionOptions {
  basePath?: string;
  accessToken: string;
  /** Retries of 429/5xx inside the official client; settings are process-wide (CRM_API_NOTES). */
  retries?: number;
  /**
   * Paces requests to stay under the account's limit (Pro/Enterprise private apps: 190 per
   * 10 s, so 19/s) instead of running into 429s and the client's 1–10 s back-off.
   */
  requestsPerSecond?: number;
}

/** The one place that builds the official HubSpot client. */
export function createHubSpotClient(options: HubSpotConnectionOptions): Client {
  return new Client({
    accessToken: options.accessToken,
    // basePath replaces https://api.hubapi.com and must have no trailing slash.
    ...(options.basePath ? { basePath: options.basePath.replace(/\/+$/, '') } : {}),
    numberOfApiCallRetries: options.retries ?? 3,
    ...(options.requestsPerSecond ? { limiterOptions: { minTime: Math.ceil(1000 / options.requestsPerSecond), maxConcurrent: 8, id: 'baton-hubspot' } } : {}),
  });
}
