import { TestWorkflowEnvironment } from '@temporalio/testing';
import { findTemporalBinary } from '../../src/dev/temporal-binaries';
import { ensureSearchAttributes } from '../../src/dev/search-attributes';

/**
 * `temporal server start-dev` ignores --search-attribute on an existing database, so Baton
 * registers its attributes through the operator API: shown here on a server started
 * without them.
 */
describe('ensureSearchAttributes on a real dev server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    const bin = findTemporalBinary('cli');
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        ...(bin ? { executable: { type: 'existing-path' as const, path: bin.path } } : {}),
        log: { format: 'pretty', level: 'error' },
      },
    });
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('adds the missing attributes once, then finds nothing to add', async () => {
    const namespace = env.namespace ?? 'default';
    const before = await env.connection.operatorService.listSearchAttributes({ namespace });
    expect(Object.keys(before.customAttributes ?? {})).not.toContain('BatonStage');

    expect((await ensureSearchAttributes(env.connection, namespace)).sort()).toEqual([
      'BatonMapping',
      'BatonOutcome',
      'BatonOwner',
      'BatonSlaDueAt',
      'BatonStage',
    ]);
    const after = await env.connection.operatorService.listSearchAttributes({ namespace });
    expect(Object.keys(after.customAttributes ?? {})).toEqual(
      expect.arrayContaining(['BatonStage', 'BatonOwner', 'BatonSlaDueAt', 'BatonOutcome', 'BatonMapping']),
    );

    expect(await ensureSearchAttributes(env.connection, namespace)).toEqual([]);
  });
});
