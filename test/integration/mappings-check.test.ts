import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/env';
import { parseObjectMapping } from '../../src/config/mapping-file';
import {
  checkMappingLive,
  checkMappingsFolder,
  readLiveSchemas,
  runMappingsCheck,
  type LiveSchemaReader,
} from '../../src/config/mapping-live';
import { createHubSpotClient } from '../../src/crm/hubspot/client';
import { createSalesforceConnection } from '../../src/crm/salesforce/client';
import { crmSchemaReader, crmSchemaReaderFor } from '../../src/crm/schema-reader';
import { startHubSpotSandbox } from '@baton/crm-sandbox';
import { startSalesforceSandbox } from '@baton/crm-sandbox';

/**
 * `baton mappings check` with its live pass against both sandboxes, reached through the
 * official clients exactly as against real portals and orgs.
 */
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'mappings');
const SHIPPED = path.join(__dirname, '..', '..', 'mappings');

/** One fixture per rule of the live pass, with the exact report. */
const LIVE_RULES: [string, string[]][] = [
  [
    'conversion-match-not-on-contact',
    [
      "8:15 error [unknown_field] conversion-match-not-on-contact > match > salesforce: lead_conversion: follow matches converted leads on Salesforce's Contact.Website, which does not exist; match on a field Leads and Contacts both have, or set lead_conversion: ignore",
    ],
  ],
  [
    'not-writable',
    [
      "12:14 error [not_writable] not-writable > fields > 1 > hubspot: HubSpot's hubspotscore cannot be written (HubSpot calculates it); set direction: to_salesforce",
      "19:17 warning [not_writable] not-writable > fields > 2 > salesforce: Salesforce's Lead.IsConverted can only be set when Baton creates the record; later changes will be rejected",
    ],
  ],
  [
    'picklist-value-rejected',
    [
      '16:12 error [picklist_value_rejected] picklist-value-rejected > fields > 1 > values > NEW: the mapped value "Open" is not one of Salesforce\'s Lead.Status values (Open - Not Contacted, Working - Contacted, Closed - Converted, Closed - Not Converted); it would be rejected',
      '22:28 warning [picklist_value_rejected] picklist-value-rejected > fields > 2 > ranges > 0 > value: the range value "Lukewarm" is not one of Salesforce\'s Lead.Rating values (Hot, Warm, Cold); Salesforce stores it, but reports and filters on the picklist will not show it',
    ],
  ],
  [
    'truncate-too-long',
    [
      "15:15 error [truncate_too_long] truncate-too-long > fields > 1 > truncate: truncate: 300 is more than Salesforce's Lead.Title holds (128 characters); use truncate: 128 or less",
    ],
  ],
  [
    'type-mismatch',
    [
      "12:5 warning [type_mismatch] type-mismatch > fields > 1: Salesforce's Lead.NumberOfEmployees holds whole numbers, but HubSpot's jobtitle holds text; values that are not whole numbers will be rejected (add to_salesforce > type: integer to convert them, or map them with values or ranges)",
      "18:11 error [type_mismatch] type-mismatch > fields > 2 > type: type: date does not fit Salesforce's Lead.AnnualRevenue, which holds numbers; use type: number",
    ],
  ],
  [
    'unknown-field',
    [
      '13:17 error [unknown_field] unknown-field > fields > 1 > salesforce: Salesforce\'s Lead has no field "Titel"; did you mean "Title"?',
    ],
  ],
  [
    'unknown-property',
    [
      '12:14 error [unknown_property] unknown-property > fields > 1 > hubspot: HubSpot contacts have no property "jobtittle"; did you mean "jobtitle"?',
    ],
  ],
  [
    'unmapped-picklist-value',
    [
      '16:7 warning [unmapped_picklist_value] unmapped-picklist-value > fields > 1 > values: HubSpot\'s hs_lead_status value "OPEN_DEAL" has no line under values; it would be sent as it is and Salesforce\'s Lead.Status does not accept it. Add a line for it, or set unmapped: skip or unmapped: { default: <value> }',
      '16:7 warning [unmapped_picklist_value] unmapped-picklist-value > fields > 1 > values: HubSpot\'s hs_lead_status value "BAD_TIMING" has no line under values; it would be sent as it is and Salesforce\'s Lead.Status does not accept it. Add a line for it, or set unmapped: skip or unmapped: { default: <value> }',
    ],
  ],
];

describe('baton mappings check against the sandboxes', () => {
  let hubspot: Awaited<ReturnType<typeof startHubSpotSandbox>>;
  let salesforce: Awaited<ReturnType<typeof startSalesforceSandbox>>;
  let clients: LiveSchemaReader;
  let tmp: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-mappings-check-'));
    hubspot = await startHubSpotSandbox({ preset: 'empty', port: 0 });
    salesforce = await startSalesforceSandbox({ preset: 'empty', port: 0 });
    clients = crmSchemaReader({
      hubspot: createHubSpotClient({ basePath: hubspot.url, accessToken: hubspot.accessToken, retries: 0 }),
      salesforce: createSalesforceConnection({
        instanceUrl: salesforce.url,
        accessToken: salesforce.accessToken,
        version: '62.0',
      }),
    });
  });

  afterAll(async () => {
    await hubspot?.close();
    await salesforce?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** A mappings folder holding copies of the named files. */
  function folderWith(name: string, files: string[]): string {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir, { recursive: true });
    for (const f of files) fs.copyFileSync(f, path.join(dir, path.basename(f)));
    return dir;
  }

  async function run(options: { folder: string; json?: boolean; dev?: boolean; env?: NodeJS.ProcessEnv }) {
    let stdout = '';
    let stderr = '';
    const config = loadConfig({ BATON_HOME: tmp, ...options.env });
    const code = await runMappingsCheck(
      { folder: options.folder, json: options.json, dev: options.dev, config, connect: crmSchemaReaderFor },
      (t) => (stdout += t),
      (t) => (stderr += t),
    );
    return { code, stdout, stderr };
  }

  const sandboxEnv = () => ({
    HUBSPOT_BASE_PATH: hubspot.url,
    HUBSPOT_ACCESS_TOKEN: hubspot.accessToken,
    SALESFORCE_INSTANCE_URL: salesforce.url,
    SALESFORCE_ACCESS_TOKEN: salesforce.accessToken,
  });

  it('finds nothing wrong with the shipped mappings (contact.yaml, handover.yaml)', async () => {
    const report = await checkMappingsFolder(SHIPPED, clients);
    expect(report).toEqual({
      files: ['contact.yaml', 'handover.yaml'],
      problems: [],
      live: { hubspot: 'checked', salesforce: 'checked', notes: [] },
    });
  });

  it.each(LIVE_RULES)('live rule fixture live/%s.yaml', async (name, expected) => {
    const result = parseObjectMapping(
      fs.readFileSync(path.join(FIXTURES, 'live', `${name}.yaml`), 'utf8'),
      `${name}.yaml`,
    );
    // Each fixture is fine but for the live rule it shows.
    expect(result.problems).toEqual([]);
    if (!result.mapping || !result.locate) throw new Error('fixture did not parse');
    const read = await readLiveSchemas([result.mapping], clients);
    expect(read.notes).toEqual([]);
    const lines = checkMappingLive(result.mapping, result.locate, read.schemas).map(
      (p) => `${p.line}:${p.column} ${p.severity} [${p.code}] ${p.path}: ${p.message}`,
    );
    expect(lines).toEqual(expected);
  });

  it('has a test for every live fixture', () => {
    const tested = new Set(LIVE_RULES.map(([name]) => name));
    expect(
      fs
        .readdirSync(path.join(FIXTURES, 'live'))
        .map((f) => f.replace(/\.yaml$/, ''))
        .filter((f) => !tested.has(f)),
    ).toEqual([]);
  });

  it('--dev: reads the connection from dev.json, prints every problem of every pass, exits 1 on an error', async () => {
    const home = path.join(tmp, 'dev-home');
    fs.mkdirSync(home, { recursive: true });
    fs.writeFileSync(
      path.join(home, 'dev.json'),
      JSON.stringify({
        temporal: { address: '127.0.0.1:7233', namespace: 'default', uiUrl: 'http://127.0.0.1:8233' },
        taskQueue: 'baton',
        hubspot: { basePath: hubspot.url, accessToken: hubspot.accessToken },
        salesforce: { instanceUrl: salesforce.url, accessToken: salesforce.accessToken, version: '62.0' },
        pid: 1,
        startedAt: new Date().toISOString(),
      }),
    );
    const folder = folderWith('dev', [
      path.join(SHIPPED, 'contact.yaml'),
      path.join(FIXTURES, 'live', 'unknown-field.yaml'),
      path.join(FIXTURES, 'rules', 'missing-conflict-rule.yaml'),
    ]);
    const { code, stdout, stderr } = await run({ folder, dev: true, env: { BATON_HOME: home } });
    expect({ code, stderr }).toEqual({ code: 1, stderr: '' });
    expect(stdout.split('\n')).toEqual([
      `${folder}/missing-conflict-rule.yaml:12:5 error [missing_conflict_rule] missing-conflict-rule > fields > 1: firstname ↔ FirstName is synced both ways but has no conflict rule; add conflict: hubspot_wins, salesforce_wins, last_write_wins, prefer_non_blank (or set conflict once at the top of the file for every two-way field)`,
      `${folder}/unknown-field.yaml:13:17 error [unknown_field] unknown-field > fields > 1 > salesforce: Salesforce's Lead has no field "Titel"; did you mean "Title"?`,
      `note: checked against HubSpot and Salesforce (connection from ${path.join(home, 'dev.json')})`,
      '3 file(s) checked: 2 error(s), 0 warning(s)',
      '',
    ]);
  });

  it('takes the connection from the environment; warnings alone exit 0; --json has the whole report', async () => {
    const folder = folderWith('env', [
      path.join(SHIPPED, 'contact.yaml'),
      path.join(FIXTURES, 'live', 'unmapped-picklist-value.yaml'),
    ]);
    const text = await run({ folder, env: sandboxEnv() });
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n').slice(-3)).toEqual([
      'note: checked against HubSpot and Salesforce (connection from the environment)',
      '2 file(s) checked: 0 error(s), 2 warning(s)',
      '',
    ]);

    const json = await run({ folder, json: true, env: sandboxEnv() });
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as {
      files: string[];
      problems: { code: string; severity: string; file: string; line: number; column: number; path: string }[];
      live: unknown;
    };
    expect(report.files).toEqual(['contact.yaml', 'unmapped-picklist-value.yaml']);
    expect(report.problems.map((p) => [p.code, p.severity, path.basename(p.file), p.line, p.column, p.path])).toEqual([
      [
        'unmapped_picklist_value',
        'warning',
        'unmapped-picklist-value.yaml',
        16,
        7,
        'unmapped-picklist-value > fields > 1 > values',
      ],
      [
        'unmapped_picklist_value',
        'warning',
        'unmapped-picklist-value.yaml',
        16,
        7,
        'unmapped-picklist-value > fields > 1 > values',
      ],
    ]);
    expect(report.live).toEqual({
      hubspot: 'checked',
      salesforce: 'checked',
      notes: ['checked against HubSpot and Salesforce (connection from the environment)'],
    });
  });

  it('skips the live pass with a note when no CRM is configured', async () => {
    const { code, stdout } = await run({ folder: SHIPPED });
    expect(code).toBe(0);
    expect(stdout).toBe(
      'note: the CRMs were not checked: set HUBSPOT_ACCESS_TOKEN and SALESFORCE_INSTANCE_URL / SALESFORCE_ACCESS_TOKEN, or pass --dev while `baton dev` runs\n' +
        '2 file(s) checked: 0 error(s), 0 warning(s)\n',
    );
  });

  it('says why when a CRM cannot be read, and still checks the other', async () => {
    const { code, stdout } = await run({
      folder: SHIPPED,
      env: { ...sandboxEnv(), HUBSPOT_ACCESS_TOKEN: 'not-the-token' },
    });
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('note: checked against Salesforce (connection from the environment)');
    expect(lines[1]).toMatch(
      /^note: could not read HubSpot's contact properties \(.+\); the checks against HubSpot were skipped$/,
    );
    expect(lines[2]).toBe('2 file(s) checked: 0 error(s), 0 warning(s)');
  });

  it('--dev without a running `baton dev` says what to do and exits 1', async () => {
    const { code, stdout, stderr } = await run({
      folder: SHIPPED,
      dev: true,
      env: { BATON_HOME: path.join(tmp, 'nowhere') },
    });
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toBe(
      `baton mappings check --dev: ${path.join(tmp, 'nowhere', 'dev.json')} does not exist: start the local stack with \`baton dev\` (it writes that file), or leave out --dev\n`,
    );
  });

  it('a missing folder exits 1', async () => {
    const { code, stderr } = await run({ folder: path.join(tmp, 'no-such-folder') });
    expect(code).toBe(1);
    expect(stderr).toBe(
      `${path.join(tmp, 'no-such-folder')}: no such folder. Pass the mappings folder, or set BATON_MAPPINGS_DIR.\n`,
    );
  });
});
