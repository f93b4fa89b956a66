/**
 * The README's Python quick start is jsii-rosetta's translation of the TypeScript quick start above it,
 * never hand-written: this script takes the translation from the tablet that `jsii-rosetta extract
 * --strict` writes (.jsii.tabl.json) and puts it between the README's python-quick-start markers.
 *
 *   ts-node rosetta/python-quick-start.ts          rewrite the block
 *   ts-node rosetta/python-quick-start.ts --check  fail if the block differs from the translation
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const README = path.join(ROOT, 'README.md');
const TABLET = path.join(ROOT, '.jsii.tabl.json');
const BEGIN = '<!-- python-quick-start:begin';
const END = '<!-- python-quick-start:end -->';

interface Tablet {
  readonly snippets: Record<string, { translations: Record<string, { source: string }> }>;
}

function quickStartTypeScript(readme: string): string {
  const section = readme.split('\n## Quick start\n')[1];
  const match = section ? /```ts\n([\s\S]*?)```/.exec(section) : null;
  if (!match) {
    throw new Error('README.md: no ```ts block under "## Quick start"');
  }
  return match[1].trim();
}

function pythonTranslation(typescript: string): string {
  if (!fs.existsSync(TABLET)) {
    throw new Error(`${TABLET} is missing: run \`npx projen compile && npx projen rosetta:extract\` first`);
  }
  const tablet: Tablet = JSON.parse(fs.readFileSync(TABLET, 'utf8'));
  const snippet = Object.values(tablet.snippets).find((s) => s.translations.$?.source.trim() === typescript);
  if (!snippet?.translations.python) {
    throw new Error('.jsii.tabl.json holds no Python translation of the README quick start: run rosetta:extract again');
  }
  return snippet.translations.python.source.trim();
}

const readme = fs.readFileSync(README, 'utf8');
const begin = readme.indexOf(BEGIN);
const end = readme.indexOf(END);
if (begin < 0 || end < begin) {
  throw new Error(`README.md: the markers "${BEGIN} ... -->" and "${END}" are missing`);
}
const head = readme.slice(0, readme.indexOf('\n', begin) + 1);
const block = '```python\n' + pythonTranslation(quickStartTypeScript(readme)) + '\n```\n';
const updated = head + block + readme.slice(end);

if (process.argv.includes('--check')) {
  if (updated !== readme) {
    console.error('README.md: the Python quick start is not the translation of the TypeScript one; run `npx projen docs:python` and commit README.md');
    process.exit(1);
  }
  console.log('README.md: the Python quick start is the jsii-rosetta translation of the TypeScript one');
} else {
  fs.writeFileSync(README, updated);
  console.log(updated === readme ? 'README.md: Python quick start already up to date' : 'README.md: Python quick start rewritten');
}
