import fs from 'node:fs';
import path from 'node:path';
import { fileProblem } from './document';
import { loadMappingsDir, MappingError, type ObjectMapping } from './mapping-file';

/**
 * Serves the current mapping files, re-reading the folder when a file changed, so an
 * edited mapping takes effect on the next sync cycle without a restart.
 */
export function createMappingProvider(dir: string): { get(name: string): ObjectMapping; all(): ObjectMapping[] } {
  let cache: { signature: string; mappings: ObjectMapping[] } | undefined;
  const signature = () =>
    fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((f) => /\.ya?ml$/.test(f))
          .sort()
          .map((f) => {
            const st = fs.statSync(path.join(dir, f));
            return `${f}:${st.mtimeMs}:${st.size}`;
          })
          .join('|')
      : 'missing';
  const all = (): ObjectMapping[] => {
    const sig = signature();
    if (!cache || cache.signature !== sig) cache = { signature: sig, mappings: loadMappingsDir(dir) };
    return cache.mappings;
  };
  return {
    all,
    get(name: string): ObjectMapping {
      const found = all().find((m) => m.name === name);
      if (!found) {
        throw new MappingError([
          fileProblem(path.join(dir, `${name}.yaml`), 'missing_mapping', `no mapping named "${name}" in ${dir}`, name),
        ]);
      }
      return found;
    },
  };
}
