/**
 * Self-hosted Renovate, configured as the README's recipe says (the token from the secret in
 * RENOVATE_HOST_RULES, the registry in RENOVATE_NPMRC, read before the run), looks up a private
 * package's versions in the local CodeArtifact's npm repository through the TLS proxy, on the local
 * platform (no git host): the reader token sees shared's versions; the publisher token is refused shared.
 *
 * Renovate (and the Node 24 it needs) is installed into .e2e/renovate by the first run of this spec.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ACCOUNT, E2eEnv, ensureRenovate, REGION } from '../local-aws';
import { deployRepositoriesToken, project, removeProjects, runSnippets, toRepository } from './repositories-stack';

let reader: E2eEnv;
let publisher: E2eEnv;
let renovateBin: string;
const baseDirs: string[] = [];

beforeAll(async () => {
  renovateBin = ensureRenovate((line) => console.log(`e2e: ${line}`));
  [reader, publisher] = await Promise.all([deployRepositoriesToken('Reader'), deployRepositoriesToken('Publisher')]);
  // a newer version in shared, for Renovate to find
  reader.repositories.seedNpm(reader.domainName, ACCOUNT, REGION, 'shared', 'left-pad', '1.4.0');
  publisher.repositories.seedNpm(publisher.domainName, ACCOUNT, REGION, 'shared', 'left-pad', '1.4.0');
}, 300_000);

afterAll(async () => {
  await Promise.all([reader?.stop(), publisher?.stop()]);
  removeProjects();
  for (const d of baseDirs) fs.rmSync(d, { recursive: true, force: true });
});

/**
 * The e2e's environment for Renovate, not the README's: the local platform (the working directory is
 * the repository, nothing is pushed), debug logs (the lookups' results), and a base directory of its
 * own so that no cached lookup of an earlier run answers instead of the registry.
 */
function renovateEnv(): Record<string, string> {
  const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ca-renovate-'));
  baseDirs.push(baseDir);
  return {
    PATH: `${renovateBin}:${process.env.PATH}`,
    RENOVATE_PLATFORM: 'local',
    RENOVATE_BASE_DIR: baseDir,
    LOG_LEVEL: 'debug',
    LOG_FORMAT: 'json',
  };
}

const dependent = () => project({ 'package.json': JSON.stringify({ name: 'app', version: '1.0.0', private: true, dependencies: { 'left-pad': '1.3.0' } }) });

/** Renovate's JSON log records (one a line). */
function records(output: string): Array<Record<string, unknown>> {
  return output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
}

test('the reader token: Renovate finds left-pad 1.4.0 in shared, through the real endpoint', async () => {
  const mark = reader.repositories.requests.length;
  const r = await runSnippets(reader, ['read-secret', 'renovate-host-rules'], dependent(), { env: renovateEnv() });
  expect(r).toSucceed();
  // THEN its lookup found the newer version, with the tarball at the repository's real endpoint
  const updates = JSON.stringify(records(r.output).filter((rec) => /flattened updates found/.test(String(rec.msg))));
  expect(updates).toContain('left-pad');
  const host = `${reader.domainName}-${ACCOUNT}.d.codeartifact.${REGION}.amazonaws.com`;
  expect(r.output).toContain('"newVersion":"1.4.0"');
  expect(r.output).toContain(`https://${host}/npm/shared/left-pad/-/left-pad-1.4.0.tgz`);
  // AND the repository authorized the packument for the reader's token
  const lookups = reader.repositories.requests.slice(mark).filter((q) => q.method === 'GET' && q.path.endsWith('/npm/shared/left-pad'));
  expect(lookups.length).toBeGreaterThan(0);
  for (const q of lookups) expect(q).toMatchObject({ status: 200, decision: 'allowed', action: 'codeartifact:ReadFromRepository' });
  // AND nothing went anywhere else: every other host Renovate tried (presets, changelogs) was refused by the proxy
  for (const c of reader.repositoryProxy.connects) if (c.host !== host) expect(c.allowed).toBe(false);
}, 240_000);

test('the publisher token is refused shared: Renovate finds nothing, the repository says why', async () => {
  const mark = publisher.repositories.requests.length;
  const r = await runSnippets(publisher, ['read-secret', 'renovate-host-rules'], dependent(),
    { env: renovateEnv(), edit: toRepository('shared', 'npm', 'shared') });
  expect(r.output).not.toContain('"newVersion":"1.4.0"');
  const refused = publisher.repositories.requests.slice(mark).filter((q) => q.path.endsWith('/npm/shared/left-pad'));
  expect(refused.length).toBeGreaterThan(0);
  for (const q of refused) {
    expect(q).toMatchObject({ status: 403, decision: 'denied' });
    expect(q.reason).toMatch(/implicitly denied: no session statement allows codeartifact:ReadFromRepository on .*repository\/.*\/shared$/);
  }
}, 240_000);

test('no token text reached a log line, a CloudFormation response or Renovate\'s output', () => {
  expect(reader.leaks()).toEqual([]);
  expect(publisher.leaks()).toEqual([]);
});
