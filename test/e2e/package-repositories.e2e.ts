/**
 * What a CodeArtifact token lets the real package managers do: npm, pip and twine on this machine,
 * configured as a user would with a token, against local repository endpoints that authorize every
 * request through the IAM evaluator with the issuer's identity policy and the token's session policy.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ARN, DOMAIN, ISSUER, OWNER, REGION, repositoryArn, V } from './issuer-fixture';
import { evaluate, PolicyDocument, PolicyStatement } from '../local-aws/iam-evaluation';
import { cleanup, npmInstall, npmPublish, pipInstall, twineUpload, writeNpmPackage } from '../local-aws/package-clients';
import { Authorization, AuthorizationRequest, PackageRepositories, pythonWheel } from '../local-aws/package-repositories';


const token = () => randomBytes(90).toString('base64url');
const READ_X = token();
const PUBLISH_X = token();
const PUBLISH_MIRROR = token();
const UNKNOWN = token();
/** Each token's session policy, as `action arn` pairs it allows. */
const GRANTS = new Map<string, string[]>([
  [READ_X, [`codeartifact:ReadFromRepository ${repositoryArn('x')}`]],
  [PUBLISH_X, [`codeartifact:ReadFromRepository ${repositoryArn('x')}`, `codeartifact:PublishPackageVersion ${ARN}:package/${DOMAIN}/x/*`]],
  [PUBLISH_MIRROR, [`codeartifact:ReadFromRepository ${repositoryArn('mirror')}`, `codeartifact:PublishPackageVersion ${ARN}:package/${DOMAIN}/mirror/*`]],
]);
const ALL_TOKENS = [READ_X, PUBLISH_X, PUBLISH_MIRROR, UNKNOWN];

function authorize({ token: t, action, resourceArn }: AuthorizationRequest): Authorization {
  const grants = GRANTS.get(t);
  if (!grants) return { allowed: false, unauthenticated: true, reason: 'no such token was issued' };
  const sessionPolicy: PolicyDocument = {
    Version: V,
    Statement: grants.map((g): PolicyStatement => ({ Effect: 'Allow', Action: g.split(' ')[0], Resource: g.split(' ')[1] })),
  };
  const decision = evaluate({ action, resource: resourceArn, identityPolicies: [ISSUER], sessionPolicy });
  return decision.allowed ? { allowed: true } : { allowed: false, reason: decision.reason };
}

describe('package managers against CodeArtifact-like repositories', () => {
  let repos: PackageRepositories;
  let dist: string;
  const endpoint = (format: 'npm' | 'pypi', repo: string) =>
    repos.localEndpoint(PackageRepositories.realEndpoint(DOMAIN, OWNER, REGION, format, repo));
  const requestsSince = (n: number) => repos.requests.slice(n);
  /** npm 11 GETs the packument (twice on a 404) before its PUT, and goes on after a 403: only the PUT publishes. */
  const putsSince = (n: number) => requestsSince(n).filter((q) => q.method === 'PUT');

  beforeAll(async () => {
    repos = await PackageRepositories.start({ authorize });
    for (const r of ['x', 'y', 'mirror']) repos.addRepository(DOMAIN, OWNER, REGION, r);
    repos.seedNpm(DOMAIN, OWNER, REGION, 'x', 'left-pad', '1.3.0');
    repos.seedNpm(DOMAIN, OWNER, REGION, 'x', '@acme/util', '2.0.0');
    repos.seedNpm(DOMAIN, OWNER, REGION, 'y', 'only-in-y', '1.0.0');
    repos.seedPypi(DOMAIN, OWNER, REGION, 'x', 'Acme_Tools', '0.1.0');
    dist = fs.mkdtempSync(path.join(os.tmpdir(), 'ca-dist-'));
  });

  afterAll(async () => {
    await repos?.stop();
    cleanup();
    if (dist) fs.rmSync(dist, { recursive: true, force: true });
  });

  afterEach(() => {
    const log = JSON.stringify(repos.requests);
    for (const t of ALL_TOKENS) expect(log).not.toContain(t);
  });

  test('localEndpoint swaps only the origin of a real endpoint', () => {
    expect(repos.localEndpoint(`https://${DOMAIN}-${OWNER}.d.codeartifact.${REGION}.amazonaws.com/npm/x/`))
      .toBe(`${repos.url}/${DOMAIN}-${OWNER}/${REGION}/npm/x/`);
    expect(() => repos.localEndpoint('https://registry.npmjs.org/')).toThrow(/not a CodeArtifact repository endpoint/);
  });

  test('npm install with a read token, also of a scoped package', async () => {
    const start = repos.requests.length;
    const r = await npmInstall({ watch: [repos], endpoint: endpoint('npm', 'x'), token: READ_X, pkg: 'left-pad@1.3.0' });
    expect(r.output).not.toContain(READ_X);
    expect(r).toSucceed();
    expect(fs.readFileSync(path.join(r.dir, 'project', 'node_modules', 'left-pad', 'index.js'), 'utf8')).toContain('left-pad@1.3.0');
    const scoped = await npmInstall({ watch: [repos], endpoint: endpoint('npm', 'x'), token: READ_X, pkg: '@acme/util' });
    expect(scoped).toSucceed();
    expect(fs.existsSync(path.join(scoped.dir, 'project', 'node_modules', '@acme', 'util', 'package.json'))).toBe(true);
    const seen = requestsSince(start);
    expect(seen.map((q) => `${q.method} ${q.path.replace(/^.*\/npm\/x\//, '')} ${q.status}`)).toEqual([
      'GET left-pad 200', 'GET left-pad/-/left-pad-1.3.0.tgz 200',
      'GET @acme%2futil 200', 'GET @acme/util/-/util-2.0.0.tgz 200',
    ]);
    for (const q of seen) expect(q).toMatchObject({ action: 'codeartifact:ReadFromRepository', arn: repositoryArn('x'), decision: 'allowed' });
  });

  test('npm publish: refused (403) with a read-only token, accepted with a publish token, then installable', async () => {
    const pkgDir = writeNpmPackage('hello-pub', '1.0.0');
    let start = repos.requests.length;
    const refused = await npmPublish({ watch: [repos], endpoint: endpoint('npm', 'x'), token: READ_X, packageDir: pkgDir });
    expect(refused).not.toSucceed();
    expect(refused.output).toMatch(/E403|403 Forbidden/);
    expect(refused.output).not.toContain(READ_X);
    expect(putsSince(start)).toEqual([expect.objectContaining({
      method: 'PUT',
      status: 403,
      decision: 'denied',
      action: 'codeartifact:PublishPackageVersion',
      arn: `${ARN}:package/${DOMAIN}/x/npm//hello-pub`,
      reason: `implicitly denied: no session statement allows codeartifact:PublishPackageVersion on ${ARN}:package/${DOMAIN}/x/npm//hello-pub`,
    })]);
    expect(repos.npmVersions(DOMAIN, OWNER, REGION, 'x', 'hello-pub')).toEqual([]);

    start = repos.requests.length;
    const published = await npmPublish({ watch: [repos], endpoint: endpoint('npm', 'x'), token: PUBLISH_X, packageDir: pkgDir });
    expect(published).toSucceed();
    expect(putsSince(start)).toEqual([expect.objectContaining({ method: 'PUT', status: 200, decision: 'allowed', arn: `${ARN}:package/${DOMAIN}/x/npm//hello-pub` })]);
    expect(repos.npmVersions(DOMAIN, OWNER, REGION, 'x', 'hello-pub')).toEqual(['1.0.0']);

    const scopedDir = writeNpmPackage('@acme/pub', '0.1.0');
    start = repos.requests.length;
    expect(await npmPublish({ watch: [repos], endpoint: endpoint('npm', 'x'), token: PUBLISH_X, packageDir: scopedDir })).toSucceed();
    expect(putsSince(start)).toEqual([expect.objectContaining({ path: expect.stringMatching(/\/npm\/x\/@acme%2fpub$/), arn: `${ARN}:package/${DOMAIN}/x/npm/acme/pub` })]);

    const installed = await npmInstall({ watch: [repos], endpoint: endpoint('npm', 'x'), token: READ_X, pkg: 'hello-pub' });
    expect(installed).toSucceed();
    expect(fs.readFileSync(path.join(installed.dir, 'project', 'node_modules', 'hello-pub', 'index.js'), 'utf8')).toContain('hello-pub@1.0.0');
  });

  test('the issuer\'s explicit Deny holds even for a token whose session allows publishing', async () => {
    const r = await npmPublish({ watch: [repos], endpoint: endpoint('npm', 'mirror'), token: PUBLISH_MIRROR, packageDir: writeNpmPackage('mirrored', '1.0.0') });
    expect(r).not.toSucceed();
    expect(repos.requests.filter((q) => q.method === 'PUT').pop()).toMatchObject({
      status: 403, reason: expect.stringMatching(/^explicitly denied: identity statement "NeverIntoMirror"/),
    });
  });

  test('pip install with a read token, through the PEP 503 simple index', async () => {
    const start = repos.requests.length;
    const r = await pipInstall({ watch: [repos], endpoint: endpoint('pypi', 'x'), token: READ_X, pkg: 'acme.tools==0.1.0' });
    expect(r.output).not.toContain(READ_X);
    expect(r).toSucceed();
    expect(fs.readFileSync(path.join(r.dir, 'target', 'acme_tools', '__init__.py'), 'utf8')).toContain('0.1.0');
    expect(requestsSince(start).map((q) => `${q.method} ${q.path.replace(/^.*\/pypi\/x\//, '')} ${q.status}`)).toEqual([
      'GET simple/acme-tools/ 200', 'GET simple/acme-tools/0.1.0/Acme_Tools-0.1.0-py3-none-any.whl 200',
    ]);
  });

  test('twine upload: refused for a read-only token, accepted for a publish token, then pip-installable', async () => {
    const wheel = pythonWheel('twine-demo', '1.2.3');
    const file = path.join(dist, wheel.filename);
    fs.writeFileSync(file, wheel.data);
    const pkgArn = `${ARN}:package/${DOMAIN}/x/pypi//twine-demo`;

    let start = repos.requests.length;
    const refused = await twineUpload({ watch: [repos], endpoint: endpoint('pypi', 'x'), token: READ_X, files: [file] });
    expect(refused).not.toSucceed();
    expect(refused.output).toMatch(/403/);
    expect(refused.output).not.toContain(READ_X);
    expect(requestsSince(start)).toEqual([expect.objectContaining({ method: 'POST', status: 403, decision: 'denied', action: 'codeartifact:PublishPackageVersion', arn: pkgArn })]);
    expect(repos.pypiFiles(DOMAIN, OWNER, REGION, 'x', 'twine-demo')).toEqual([]);

    start = repos.requests.length;
    const accepted = await twineUpload({ watch: [repos], endpoint: endpoint('pypi', 'x'), token: PUBLISH_X, files: [file] });
    expect(accepted).toSucceed();
    expect(requestsSince(start)).toEqual([expect.objectContaining({ method: 'POST', status: 200, decision: 'allowed', arn: pkgArn })]);
    expect(repos.pypiFiles(DOMAIN, OWNER, REGION, 'x', 'twine-demo')).toEqual([wheel.filename]);

    const installed = await pipInstall({ watch: [repos], endpoint: endpoint('pypi', 'x'), token: READ_X, pkg: 'Twine_Demo' });
    expect(installed).toSucceed();
    expect(fs.existsSync(path.join(installed.dir, 'target', 'twine_demo', '__init__.py'))).toBe(true);
  });

  test('a token for repository x cannot read repository y', async () => {
    const npm = await npmInstall({ watch: [repos], endpoint: endpoint('npm', 'y'), token: READ_X, pkg: 'only-in-y' });
    expect(npm).not.toSucceed();
    expect(npm.output).toMatch(/E403|403 Forbidden/);
    expect(repos.requests[repos.requests.length - 1]).toMatchObject({
      status: 403,
      decision: 'denied',
      arn: repositoryArn('y'),
      reason: `implicitly denied: no session statement allows codeartifact:ReadFromRepository on ${repositoryArn('y')}`,
    });
    const pip = await pipInstall({ watch: [repos], endpoint: endpoint('pypi', 'y'), token: READ_X, pkg: 'acme-tools' });
    expect(pip).not.toSucceed();
    expect(repos.requests[repos.requests.length - 1]).toMatchObject({ status: 403, arn: repositoryArn('y') });
  });

  test('an unknown token, or none, gets 401', async () => {
    const start = repos.requests.length;
    const npm = await npmInstall({ watch: [repos], endpoint: endpoint('npm', 'x'), token: UNKNOWN, pkg: 'left-pad' });
    expect(npm).not.toSucceed();
    expect(npm.output).toMatch(/E401|401/);
    expect(npm.output).not.toContain(UNKNOWN);
    const pip = await pipInstall({ watch: [repos], endpoint: endpoint('pypi', 'x'), token: UNKNOWN, pkg: 'acme-tools' });
    expect(pip).not.toSucceed();
    expect(pip.output).not.toContain(UNKNOWN);
    const seen = requestsSince(start);
    expect(seen.length).toBeGreaterThan(0);
    for (const q of seen) expect(q).toMatchObject({ status: 401, decision: 'unauthenticated' });
    const anonymous = await fetch(`${endpoint('npm', 'x')}left-pad`);
    expect(anonymous.status).toBe(401);
    const wrongUser = await fetch(`${endpoint('pypi', 'x')}simple/`, { headers: { authorization: `Basic ${Buffer.from(`root:${READ_X}`).toString('base64')}` } });
    expect(wrongUser.status).toBe(401);
  });
});
