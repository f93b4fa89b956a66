/**
 * pnpm, Yarn (berry), uv and Poetry, each configured with its own settings exactly as the README's
 * snippets say (run word for word), against the local CodeArtifact's repositories at their real host
 * names behind the TLS proxy, with the two tokens of integ/integ.repositories.ts: the reader token
 * installs from shared, is refused releases (the publisher token's repository) and publishing; the
 * publisher token publishes to releases.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ACCOUNT, E2eEnv, pythonWheel, REGION, writeNpmPackage } from '../local-aws';
import { denials, deployRepositoriesToken, project, removeProjects, runSnippets, toRepository } from './repositories-stack';

let reader: E2eEnv;
let publisher: E2eEnv;

beforeAll(async () => {
  [reader, publisher] = await Promise.all([deployRepositoriesToken('Reader'), deployRepositoriesToken('Publisher')]);
}, 120_000);

afterAll(async () => {
  await Promise.all([reader?.stop(), publisher?.stop()]);
  removeProjects();
});

interface Client {
  readonly name: string;
  readonly format: 'npm' | 'pypi';
  /** The README snippets that install into a project, and that publish one. */
  readonly install: string;
  readonly publish: string;
  /** The project the install snippet runs in, and the environment of the e2e (not the README's) it needs. */
  readonly consumer: () => { dir: string; env?: Record<string, string> };
  /** Asserts that the install left the package in the project. */
  readonly installed: (dir: string) => void;
  /** A project ready to publish `name` 1.0.0 (built, where the client does not build it itself). */
  readonly publishable: (env: E2eEnv, name: string) => Promise<string>;
  /** What the repository holds of `name`. */
  readonly stored: (env: E2eEnv, repo: string, name: string) => string[];
  /** How the client reports a 403 on a read. */
  readonly readRefusal: RegExp;
}

const npmStored = (env: E2eEnv, repo: string, name: string) => env.repositories.npmVersions(env.domainName, ACCOUNT, REGION, repo, name);
const pypiStored = (env: E2eEnv, repo: string, name: string) => env.repositories.pypiFiles(env.domainName, ACCOUNT, REGION, repo, name);
const pyproject = (name: string, extra = '') => `[project]\nname = "${name}"\nversion = "1.0.0"\nrequires-python = ">=3.9"\ndependencies = []\n${extra}`;

/** The files under `dir` whose path ends with `suffix` (a virtualenv's site-packages differ by Python version). */
function find(dir: string, suffix: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith(suffix));
}

const CLIENTS: Client[] = [
  {
    name: 'pnpm',
    format: 'npm',
    install: 'pnpm-install',
    publish: 'pnpm-publish',
    consumer: () => ({ dir: project() }),
    installed: (dir) => expect(fs.readFileSync(path.join(dir, 'node_modules', 'left-pad', 'index.js'), 'utf8')).toContain('left-pad@1.3.0'),
    publishable: async (_env, name) => writeNpmPackage(name, '1.0.0'),
    stored: npmStored,
    readRefusal: /Failed to fetch metadata from https:\/\/.*\/npm\/releases\/left-pad: .*403 Forbidden/,
  },
  {
    name: 'yarn',
    format: 'npm',
    install: 'yarn-install',
    publish: 'yarn-publish',
    consumer: () => ({ dir: project() }),
    installed: (dir) => {
      // Plug'n'Play: no node_modules; the lockfile and the loader say what was installed.
      expect(fs.readFileSync(path.join(dir, 'yarn.lock'), 'utf8')).toContain('resolution: "left-pad@npm:1.3.0"');
      expect(fs.readFileSync(path.join(dir, '.pnp.cjs'), 'utf8')).toContain('["left-pad", "npm:1.3.0"]');
    },
    publishable: async (env, name) => {
      // A Yarn project has its lockfile before it publishes (`yarn npm publish` refuses otherwise).
      const dir = writeNpmPackage(name, '1.0.0');
      expect(await env.runScript('yarn install', { cwd: dir })).toSucceed();
      return dir;
    },
    stored: npmStored,
    readRefusal: /Response Code: 403 \(Forbidden\)/,
  },
  {
    name: 'uv',
    format: 'pypi',
    install: 'uv-add',
    publish: 'uv-publish',
    consumer: () => ({ dir: project({ 'pyproject.toml': pyproject('consumer') }) }),
    installed: (dir) => {
      expect(fs.readFileSync(path.join(dir, 'uv.lock'), 'utf8')).toMatch(/name = "acme-tools"\nversion = "0\.1\.0"/);
      expect(find(path.join(dir, '.venv', 'lib'), path.join('site-packages', 'acme_tools', '__init__.py'))).toHaveLength(1);
    },
    publishable: async (_env, name) => {
      const wheel = pythonWheel(name, '1.0.0');
      return project({ [`dist/${wheel.filename}`]: wheel.data });
    },
    stored: pypiStored,
    readRefusal: /403 Forbidden/,
  },
  {
    name: 'poetry',
    format: 'pypi',
    install: 'poetry-add',
    publish: 'poetry-publish',
    // In-project virtualenv, so that the test can look into it (the README leaves Poetry's default).
    consumer: () => ({ dir: project({ 'pyproject.toml': pyproject('consumer', '\n[tool.poetry]\npackage-mode = false\n') }), env: { POETRY_VIRTUALENVS_IN_PROJECT: 'true' } }),
    installed: (dir) => {
      expect(fs.readFileSync(path.join(dir, 'poetry.lock'), 'utf8')).toMatch(/name = "acme-tools"\nversion = "0\.1\.0"/);
      expect(find(path.join(dir, '.venv', 'lib'), path.join('site-packages', 'acme_tools', '__init__.py'))).toHaveLength(1);
    },
    publishable: async (_env, name) => project({
      'pyproject.toml': pyproject(name, '\n[build-system]\nrequires = ["poetry-core>=2.0.0,<3.0.0"]\nbuild-backend = "poetry.core.masonry.api"\n'),
      [`${name.replace(/-/g, '_')}/__init__.py`]: 'VERSION = "1.0.0"\n',
    }),
    stored: pypiStored,
    // Poetry turns the 403 into this, and then finds no version at all.
    readRefusal: /Authorization error accessing https:\/\/.*\/pypi\/releases\/simple\/acme-tools\//,
  },
];

describe.each(CLIENTS)('$name, configured as the README says', (client) => {
  test('the reader token installs from shared', async () => {
    const { dir, env } = client.consumer();
    const r = await runSnippets(reader, ['read-secret', client.install], dir, { env });
    expect(r).toSucceed();
    client.installed(dir);
  });

  test('the reader token is refused releases, the publisher token\'s repository', async () => {
    const { dir, env } = client.consumer();
    const mark = reader.repositories.requests.length;
    const r = await runSnippets(reader, ['read-secret', client.install], dir, { env, edit: toRepository('shared', client.format, 'releases') });
    expect(r).not.toSucceed();
    expect(r.output).toMatch(client.readRefusal);
    // the issuer role may read releases (the publisher token needs it); the reader's session may not
    const refused = denials(reader, mark);
    expect(refused.length).toBeGreaterThan(0);
    for (const d of refused) {
      expect(d).toMatchObject({ status: 403, action: 'codeartifact:ReadFromRepository' });
      expect(d.reason).toMatch(/implicitly denied: no session statement allows codeartifact:ReadFromRepository on .*repository\/.*\/releases$/);
    }
  });

  test('the reader token cannot publish: refused with 403, nothing stored', async () => {
    const name = `${client.name}-by-reader`;
    const dir = await client.publishable(reader, name);
    const mark = reader.repositories.requests.length;
    const r = await runSnippets(reader, ['read-secret', client.publish], dir, { edit: toRepository('releases', client.format, 'releases') });
    expect(r).not.toSucceed();
    expect(r.output).toMatch(/403/);
    const refused = denials(reader, mark).filter((d) => d.action === 'codeartifact:PublishPackageVersion');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0].reason).toMatch(new RegExp(`no session statement allows codeartifact:PublishPackageVersion on .*/releases/${client.format}//${name}$`));
    expect(client.stored(reader, 'releases', name)).toEqual([]);
  });

  test('the publisher token publishes to releases', async () => {
    const name = `${client.name}-release`;
    const dir = await client.publishable(publisher, name);
    const r = await runSnippets(publisher, ['read-secret', client.publish], dir);
    expect(r).toSucceed();
    expect(client.stored(publisher, 'releases', name).length).toBeGreaterThan(0);
  });
});

test('no token text reached a log line, a CloudFormation response or a client\'s output', () => {
  expect(reader.leaks()).toEqual([]);
  expect(publisher.leaks()).toEqual([]);
});
