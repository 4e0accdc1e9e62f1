import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_VARIABLES } from '../../core/config';
import { FEATURE_SET_VERSION, FEATURES } from '../../features/definitions';

const read = (path: string) => readFileSync(join(__dirname, '..', '..', path), 'utf8');

describe('documentation stays in step with the code', () => {
  it('README documents every configuration variable with its default', () => {
    const readme = read('README.md');
    for (const [name, spec] of Object.entries(CONFIG_VARIABLES)) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
      expect(row).toBeDefined();
      expect(row).toContain(spec.default === undefined ? '| — |' : `| \`${spec.default}\` |`);
    }
  });

  it('docs/features.md lists every feature of the running feature set', () => {
    const doc = read('docs/features.md');
    expect(doc).toContain(`feature set ${FEATURE_SET_VERSION}`);
    for (const f of FEATURES) expect(doc).toContain(`| \`${f.name}\` | ${f.entity} |`);
  });
});
