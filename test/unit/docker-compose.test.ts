import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { ENV_KEYS, loadConfig } from '../../src/config/env';

const composeSchema = z.object({
  services: z.record(
    z.string(),
    z
      .object({
        image: z.string().optional(),
        build: z.unknown().optional(),
        environment: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
      })
      .loose(),
  ),
});

describe('docker-compose.yml', () => {
  const compose = composeSchema.parse(
    parse(fs.readFileSync(path.join(__dirname, '..', '..', 'docker-compose.yml'), 'utf8')),
  );

  it('runs PostgreSQL, the Temporal server on PostgreSQL, the Temporal UI and the Baton worker', () => {
    expect(compose.services.postgresql?.image).toMatch(/^postgres:/);
    expect(compose.services.temporal?.image).toMatch(/^temporalio\/auto-setup:/);
    expect(compose.services.temporal?.environment?.DB).toBe('postgres12');
    expect(compose.services['temporal-ui']?.image).toMatch(/^temporalio\/ui:/);
    expect(compose.services['baton-worker']?.build).toBeDefined();
  });

  it('gives the worker only env names that loadConfig reads, and a valid production config', () => {
    const env = compose.services['baton-worker']?.environment ?? {};
    const unknown = Object.keys(env).filter((k) => !(ENV_KEYS as string[]).includes(k));
    expect(unknown).toEqual([]);
    // Substitute compose's ${VAR:?…} / ${VAR:-…} forms with sample values and load it.
    const resolved = Object.fromEntries(
      Object.entries(env).map(([k, v]) => [
        k,
        String(v)
          .replace(/\$\{[A-Z_]+:\?[^}]*\}/g, k.includes('URL') ? 'https://example.my.salesforce.com' : 'sample')
          .replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1'),
      ]),
    );
    const config = loadConfig(resolved, { requireCrm: true });
    expect(config.databaseUrl).toMatch(/^postgres:\/\//);
    expect(config.temporal.address).toBe('temporal:7233');
  });
});
