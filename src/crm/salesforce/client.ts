import { Connection } from 'jsforce';

export interface SalesforceConnectionOptions {
  instanceUrl: string;
  accessToken?: string;
  /** Always pass it: jsforce defaults to API 50.0. */
  version: string;
  refreshToken?: string;
  clientId?: string;
  clientSecret?: string;
  loginUrl?: string;
}

/** The one place that builds the jsforce connection. */
export function createSalesforceConnection(options: SalesforceConnectionOptions): Connection {
  return new Connection({
    instanceUrl: options.instanceUrl.replace(/\/+$/, ''),
    version: options.version,
    ...(options.accessToken ? { accessToken: options.accessToken } : {}),
    ...(options.refreshToken ? { refreshToken: options.refreshToken } : {}),
    ...(options.clientId
      ? {
          oauth2: {
            clientId: options.clientId,
            ...(options.clientSecret ? { clientSecret: options.clientSecret } : {}),
            loginUrl: options.loginUrl ?? options.instanceUrl,
          },
        }
      : {}),
  });
}
