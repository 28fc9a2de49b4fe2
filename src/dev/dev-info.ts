import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** What `baton dev` writes to `.baton/dev.json` so commands, scripts and tests can reach the stack. */
export const devInfoSchema = z.object({
  temporal: z.object({ address: z.string().min(1), namespace: z.string().min(1), uiUrl: z.string() }),
  taskQueue: z.string().min(1),
  hubspot: z.object({ basePath: z.string().min(1), accessToken: z.string().min(1) }),
  salesforce: z.object({ instanceUrl: z.string().min(1), accessToken: z.string().min(1), version: z.string().min(1) }),
  server: z.object({ url: z.string(), webhookUrl: z.string() }),
  pid: z.number().int(),
  startedAt: z.string(),
});
export type DevInfo = z.infer<typeof devInfoSchema>;

/** A dev.json that is missing or unreadable: the message says what to do (the CLI prints it alone). */
export class DevInfoError extends Error {
  override name = 'DevInfoError';
}

export function devInfoFile(home: string): string {
  return path.resolve(home, 'dev.json');
}

/** Written whole, then renamed, so a reader never sees half a file. */
export function writeDevInfo(home: string, info: DevInfo): void {
  const file = devInfoFile(home);
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(info, null, 2)}\n`);
  fs.renameSync(`${file}.tmp`, file);
}

export function readDevInfo(home: string): DevInfo {
  const file = devInfoFile(home);
  if (!fs.existsSync(file))
    throw new DevInfoError(
      `${file} not found: start the stack with \`npm start\` (baton dev) first, or leave out --dev to use the configured CRMs.`,
    );
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new DevInfoError(
      `${file} is not valid JSON (${err instanceof Error ? err.message : String(err)}); restart \`baton dev\` to rewrite it.`,
    );
  }
  const parsed = devInfoSchema.safeParse(json);
  if (!parsed.success)
    throw new DevInfoError(
      `${file} is not what \`baton dev\` writes (${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}); restart \`baton dev\` to rewrite it.`,
    );
  return parsed.data;
}
