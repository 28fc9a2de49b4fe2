import { Client } from '@hubspot/api-client';
import { HubSpotPacer, pacedClient } from './pacer';

export interface HubSpotConnectionOptions {
  basePath?: string;
  accessToken: string;
  /** Retries of 429/5xx inside the official client; settings are process-wide (CRM_API_NOTES). */
  retries?: number;
  /**
   * Paces requests to the rate limits the API reports in its headers (on by default; see
   * pacer.ts), instead of running into 429s and the client's 1–10 s back-off. The
   * client's own limiter is not used: its settings are process-wide, so the last client
   * built in a process would decide them for every other, and its fixed spacing ignores
   * the window HubSpot actually counts.
   */
  pace?: boolean;
}

/** The one place that builds the official HubSpot client. */
export function createHubSpotClient(options: HubSpotConnectionOptions): Client {
  const client = new Client({
    accessToken: options.accessToken,
    // basePath replaces https://api.hubapi.com and must have no trailing slash.
    ...(options.basePath ? { basePath: options.basePath.replace(/\/+$/, '') } : {}),
    numberOfApiCallRetries: options.retries ?? 3,
  });
  return options.pace === false ? client : pacedClient(client, new HubSpotPacer());
}
