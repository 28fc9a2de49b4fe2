import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../helpers/temporal';

/**
 * Replays committed `leadHandover` histories against today's workflow code: a change that
 * breaks determinism (a new activity before an old one, a timer moved) fails here before
 * it can break the handovers running in production. Regenerate a history only when the
 * change is meant to be incompatible and is versioned with `patched()`:
 * `BATON_WRITE_HISTORIES=1 npx jest test/workflow/lead-handover.test.ts -t "history small"`.
 */
const DIR = path.join(__dirname, '..', 'histories');
const files = fs.existsSync(DIR) ? fs.readdirSync(DIR).filter((f) => /^lead-handover-.*\.json$/.test(f)) : [];

describe('leadHandover replay', () => {
  it('has committed histories to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('replays %s without a nondeterminism error', async (file) => {
    // Temporal's JSON form of a history, as `temporal workflow show --output json` and the Web UI export it.
    const history: unknown = JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8'));
    await expect(
      Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, file),
    ).resolves.toBeUndefined();
  });
});
