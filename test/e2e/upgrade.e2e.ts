/**
 * Upgrade from the release before per-token rights: the example app's stack deployed with that
 * release's template (its integ snapshot, test/e2e/fixtures/release-75d5ec1/) and handler (built
 * from that commit's lib/ with the project's esbuild, as the bundle task builds it), holding a
 * token; then updated to this tree's template and handler. The token must stay valid through the
 * update, and the next rotation must succeed with the new handler and policies. Every request,
 * Secrets Manager's included, is decided by the deployed template's policies.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ACCOUNT, CDK_OUT, E2eEnv, npmInstall, cleanup, PROJECT_ROOT, REGION } from '../local-aws';

/** The last commit before issue 15: its integ snapshot is the fixture. */
const RELEASE = '75d5ec1961ec776d1031303c14b377b01b0e0306';
const FIXTURE = path.join(__dirname, 'fixtures', 'release-75d5ec1', 'CodeArtifactTokenDefault.template.json');

/**
 * A cloud assembly of the release: the fixture template, and the handler asset where its S3Key
 * says. The source comes from git (fetched when a shallow clone lacks the commit).
 */
function releaseCdkOut(): string {
  const root = path.join(PROJECT_ROOT, '.e2e', `release-${RELEASE.slice(0, 7)}`);
  const out = path.join(root, 'cdk.out');
  const template = JSON.parse(fs.readFileSync(FIXTURE, 'utf8'));
  const fn = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Description?.includes('cdk-codeartifact-token'));
  const asset = path.join(out, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`, 'index.js');
  if (!fs.existsSync(asset)) {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      git('cat-file', '-e', `${RELEASE}^{commit}`);
    } catch {
      git('fetch', '--quiet', '--depth', '1', 'origin', RELEASE);
    }
    const src = path.join(root, 'src');
    fs.rmSync(src, { recursive: true, force: true });
    fs.mkdirSync(src, { recursive: true });
    execFileSync('tar', ['-x', '-C', src], { input: git('archive', RELEASE, 'lib') });
    // The flags of the bundle task (.projen/tasks.json, bundle:lib/handler/index) at that commit.
    execFileSync(path.join(PROJECT_ROOT, 'node_modules', '.bin', 'esbuild'), [
      '--bundle', path.join(src, 'lib', 'handler', 'index.ts'), '--target=node24', '--platform=node', `--outfile=${asset}`,
      '--external:@aws-sdk/*', '--minify', '--log-level=warning',
    ]);
  }
  fs.copyFileSync(FIXTURE, path.join(out, 'CodeArtifactTokenDefault.template.json'));
  return out;
}

let env: E2eEnv;

beforeAll(async () => {
  env = await E2eEnv.start({ cdkOut: releaseCdkOut(), authorizeSecretsManager: true });
}, 120_000);

afterAll(async () => {
  await env?.stop();
  cleanup();
});

afterEach(() => {
  expect(env.leaks()).toEqual([]);
});

const tokenOf = async () => JSON.parse((await env.value())!.value).authorizationToken as string;

test('a token deployed by the release stays valid through the update; the next rotation succeeds with the new handler and policies', async () => {
  // GIVEN the release's stack, deployed: a token issued by the release's handler under the release's policies
  await env.createStackResources();
  const created = await env.cfn('Create');
  expect(created.response?.Status).toBe('SUCCESS');
  env.repositories.seedNpm(env.domainName, ACCOUNT, REGION, 'shared', 'left-pad', '1.3.0');
  const released = await tokenOf();
  const shared = env.repositories.endpoint(env.domainName, ACCOUNT, REGION, 'npm', 'shared');
  expect(await npmInstall({ endpoint: shared, token: released, pkg: 'left-pad' })).toMatchObject({ ok: true });
  const releaseSessions = env.sts.calls.length;

  // WHEN the stack is updated to this tree's template and handler (and CloudFormation sends the
  // custom resource an Update when its properties changed)
  const oldProps = await env.updateStack({ cdkOut: CDK_OUT });
  const propsChanged = JSON.stringify(oldProps) !== JSON.stringify(env.properties());
  if (propsChanged) {
    const updated = await env.cfn('Update', { oldProps });
    expect([updated.response?.Status, updated.response?.Reason]).toEqual(['SUCCESS', expect.any(String)]);
  }

  // THEN the release's token still installs, now decided by the new template's policies
  const after = await npmInstall({ endpoint: shared, token: released, pkg: 'left-pad' });
  expect(after.output).toContain('added 1 package');
  expect(after.ok).toBe(true);

  // AND the next rotation, by the new handler, succeeds, with a session tagged as the new template expects
  const rotation = await env.rotate();
  expect(rotation.steps.map((s) => [s.step, s.invoke.ok, s.invoke.error ?? ''])).toEqual(
    ['createSecret', 'setSecret', 'testSecret', 'finishSecret'].map((step) => [step, true, '']));
  const rotated = await tokenOf();
  expect(rotated === released ? 'the same token' : 'a new token').toBe('a new token');
  const newSessions = env.sts.calls.slice(releaseSessions).filter((c) => c.outcome === 'assumed');
  expect(newSessions.length).toBeGreaterThan(0);
  for (const c of newSessions) {
    expect(c.tags?.map((t) => t.Key).sort()).toEqual(['cdk-codeartifact-token:repositories', 'cdk-codeartifact-token:token']);
  }
  const installed = await npmInstall({ endpoint: shared, token: rotated, pkg: 'left-pad' });
  expect(installed.output).toContain('added 1 package');
  // AND no Secrets Manager request of the handler was refused, before or after
  expect(env.secretsProxy.calls.filter((c) => c.outcome === 'AccessDeniedException')).toEqual([]);
});
