import fs from 'node:fs';
import path from 'node:path';
import { loadMappingsDir, MappingError, parseObjectMapping } from '../../src/config/mapping-file';

const fixture = (name: string) => path.join(__dirname, '..', 'fixtures', 'mappings', name);
const parseFixture = (name: string) => parseObjectMapping(fs.readFileSync(fixture(name), 'utf8'), `bad/${path.basename(name)}`);

describe('mapping files', () => {
  it('loads the shipped mappings/contact.yaml', () => {
    const [contact] = loadMappingsDir(path.join(__dirname, '..', '..', 'mappings'));
    expect(contact).toMatchObject({ name: 'contact', salesforce: { object: 'Lead' }, match: { hubspot: 'email', salesforce: 'Email' } });
    expect(contact?.fields.map((f) => f.salesforce)).toEqual(['Email', 'FirstName', 'LastName', 'Company']);
  });

  it('reports every structural problem at once with file, line, column and path', () => {
    const { mapping, problems } = parseFixture('bad/typos.yaml');
    expect(mapping).toBeUndefined();
    expect(problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.path}: ${p.message}`)).toEqual([
      'bad/typos.yaml:4:11 typos > salesforce > object: salesforce > object must be "Lead" or "Contact"',
      'bad/typos.yaml:11:16 typos > fields > 0 > direction: direction must be one of: both, to_salesforce, to_hubspot',
      'bad/typos.yaml:12:5 typos > fields > 1 > salesforce: "salesforce" is required',
      'bad/typos.yaml:13:5 typos > fields > 1 > salesfroce: unknown key "salesfroce"; check the spelling',
    ]);
  });

  it('reports a target written by two fields (case-insensitive on Salesforce)', () => {
    const { problems } = parseFixture('bad/duplicate-target.yaml');
    expect(problems).toEqual([
      expect.objectContaining({
        line: 12,
        column: 17,
        path: 'duplicate-target > fields > 1 > salesforce',
        code: 'duplicate_target',
        message: 'Salesforce field "email" is already written by fields > 0; each target may be written by one field only',
      }),
    ]);
  });

  it('reports YAML syntax errors with their position', () => {
    const { problems } = parseFixture('bad/syntax.yaml');
    expect(problems[0]).toMatchObject({ code: 'yaml_syntax', line: 5 });
    expect(problems[0]?.message).toMatch(/^the YAML is not valid: /);
  });

  it('refuses a folder with a bad file, listing the problems of every file', () => {
    expect(() => loadMappingsDir(fixture('bad'))).toThrow(MappingError);
    try {
      loadMappingsDir(fixture('bad'));
    } catch (err) {
      const files = new Set((err as MappingError).problems.map((p) => path.basename(p.file)));
      expect(files).toEqual(new Set(['duplicate-target.yaml', 'syntax.yaml', 'typos.yaml']));
    }
  });
});
