import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/env';

describe('loadConfig', () => {
  it('gives the embedded defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBe(`sqlite://${path.resolve('.baton', 'baton.db')}`);
    expect(config.temporal).toMatchObject({ address: '127.0.0.1:7233', namespace: 'default' });
    expect(config.dev).toEqual({
      host: '127.0.0.1',
      temporalPort: 7233,
      temporalUiPort: 8233,
      hubspotPort: 7481,
      salesforcePort: 7482,
      simulate: true,
      simulateTickMs: 2000,
    });
    expect(config.taskQueue).toBe('baton');
    expect(config.syncIntervalSeconds).toBe(5);
    expect(config.handover).toEqual({ firstTouchPollMs: 900_000 });
    expect(loadConfig({ BATON_FIRST_TOUCH_POLL_SECONDS: '2' }).handover).toEqual({ firstTouchPollMs: 2000 });
    expect(config.recycleBinEveryMs).toBe(600_000);
    expect(loadConfig({ BATON_RECYCLE_BIN_CHECK_SECONDS: '0' }).recycleBinEveryMs).toBe(0);
  });

  it('chooses PostgreSQL from BATON_DATABASE_URL', () => {
    expect(loadConfig({ BATON_DATABASE_URL: 'postgres://u@db:5432/baton' }).databaseUrl).toBe(
      'postgres://u@db:5432/baton',
    );
  });

  it('lists every invalid key in one error, without echoing secrets', () => {
    let error: unknown;
    try {
      loadConfig({
        BATON_SYNC_INTERVAL_SECONDS: 'often',
        BATON_DEV_TEMPORAL_PORT: '70000',
        HUBSPOT_BASE_PATH: 'not a url',
        SALESFORCE_API_VERSION: 'v62',
        BATON_LOG_LEVEL: 'loud',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'BATON_DEV_TEMPORAL_PORT',
      'BATON_LOG_LEVEL',
      'BATON_SYNC_INTERVAL_SECONDS',
      'HUBSPOT_BASE_PATH',
      'SALESFORCE_API_VERSION',
    ]);
    expect((error as Error).message).toContain('5 problems');
  });

  it('requires the CRM credentials for a production worker and names each missing one', () => {
    expect(() => loadConfig({ HUBSPOT_ACCESS_TOKEN: 'secret-token' }, { requireCrm: true })).toThrow(ConfigError);
    try {
      loadConfig({ HUBSPOT_ACCESS_TOKEN: 'secret-token' }, { requireCrm: true });
    } catch (err) {
      const message = (err as Error).message;
      expect(message).toContain('HUBSPOT_BASE_PATH');
      expect(message).toContain('SALESFORCE_INSTANCE_URL');
      expect(message).toContain('SALESFORCE_ACCESS_TOKEN');
      expect(message).not.toContain('secret-token');
    }
  });
});
