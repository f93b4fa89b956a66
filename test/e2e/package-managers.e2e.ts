/**
 * The token as a user meets it: the real npm, pip and twine, configured exactly as the README says
 * (its snippets run word for word), against the local CodeArtifact's repositories at their real
 * host names. Every request is decided by the identity the token carries: the issuer role's policies
 * as synthesized in the template, intersected with the session policy the handler issued the token
 * with. Two tokens from integ/integ.repositories.ts: Reader (shared, read) and Publisher (releases,
 * read and publish), each deployed into its own local AWS.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ACCOUNT, E2eEnv, pythonWheel, REGION, writeNpmPackage } from '../local-aws';
import { denials, deployRepositoriesToken as deploy, project, removeProjects, runSnippets as run } from './repositories-stack';

let reader: E2eEnv;
let publisher: E2eEnv;

beforeAll(async () => {
  [reader, publisher] = await Promise.all([deploy('Reader'), deploy('Publisher')]);
}, 120_000);

afterAll(async () => {
  await Promise.all([reader?.stop(), publisher?.stop()]);
  removeProjects();
});

describe('the reader token (shared, read)', () => {
  test('npm install, configured as the README says, installs from shared through the real endpoint', async () => {
    // GIVEN a project; WHEN the README's commands run
    const cwd = project();
    const r = await run(reader, ['read-secret', 'npm-install'], cwd);
    // THEN
    expect(r).toSucceed();
    expect(r.output).toContain('added 1 package');
    expect(fs.readFileSync(path.join(cwd, 'node_modules', 'left-pad', 'index.js'), 'utf8')).toContain('left-pad@1.3.0');
    expect(fs.readFileSync(path.join(cwd, '.npmrc'), 'utf8'))
      .toMatch(new RegExp(`^//${reader.domainName}-${ACCOUNT}\\.d\\.codeartifact\\.${REGION}\\.amazonaws\\.com/npm/shared/:_authToken=`, 'm'));
    // AND it went through the proxy to the real host name, nowhere else
    expect(reader.repositoryProxy.connects.every((c) => c.allowed)).toBe(true);
  });

  test('pip install, configured as the README says, installs from shared', async () => {
    const cwd = project({});
    const r = await run(reader, ['read-secret', 'pip-install'], cwd, { env: { PIP_TARGET: path.join(cwd, 'site') } });
    expect(r).toSucceed();
    expect(r.output).toMatch(/Successfully installed acme-tools-0\.1\.0/);
    expect(fs.existsSync(path.join(cwd, 'site', 'acme_tools'))).toBe(true);
  });

  test('cannot publish: npm publish and twine upload are refused, in releases (which the shared issuer may publish to) and in shared', async () => {
    // GIVEN the README's publishing commands, pointed at releases through the endpoint template
    const toReleases = (format: string) => (s: string) => s.replace(`.endpoints.releases.${format}`, `.endpointTemplate | sub("{format}"; "${format}") | sub("{repository}"; "releases")`);
    const mark = reader.repositories.requests.length;
    const npm = await run(reader, ['read-secret', 'npm-publish'], writeNpmPackage('reader-attempt', '1.0.0'), { edit: toReleases('npm') });
    const wheel = pythonWheel('reader-attempt', '1.0.0');
    const twine = await run(reader, ['read-secret', 'twine-upload'], project({ [`dist/${wheel.filename}`]: wheel.data }), { edit: toReleases('pypi') });
    // THEN both are refused for the publish action: the issuer role may publish to releases (for the
    // publisher token), but the reader's session policy may not
    expect(npm).not.toSucceed();
    expect(npm.output).toMatch(/E403/);
    expect(twine).not.toSucceed();
    expect(twine.output).toMatch(/403/);
    const refused = denials(reader, mark).filter((d) => d.action === 'codeartifact:PublishPackageVersion');
    expect(refused.map((d) => d.status)).toEqual([403, 403]);
    expect(refused[0].reason).toMatch(/implicitly denied: no session statement allows codeartifact:PublishPackageVersion on arn:aws:codeartifact:eu-west-1:123456789012:package\/.*\/releases\/npm\/\/reader-attempt/);
    expect(refused[1].reason).toMatch(/no session statement allows codeartifact:PublishPackageVersion on .*\/releases\/pypi\/\/reader-attempt/);
    // AND into its own repository, which no token of the stack may publish to, the issuer itself is refused
    const own = await run(reader, ['read-secret', 'npm-publish'], writeNpmPackage('reader-attempt', '1.0.1'),
      { edit: (s) => s.replace('.endpoints.releases.npm', '.endpoints.shared.npm') });
    expect(own.output).toMatch(/E403/);
    expect(denials(reader, mark).pop()!.reason).toMatch(/no identity statement allows codeartifact:PublishPackageVersion on .*\/shared\/npm\/\/reader-attempt/);
  });

  test('cannot read another repository of the stack: releases answers 403', async () => {
    const mark = reader.repositories.requests.length;
    const r = await run(reader, ['read-secret', 'npm-install'], project(), {
      edit: (s) => s.replace('\'.endpoints.shared.npm\'', '\'.endpointTemplate | sub("{format}"; "npm") | sub("{repository}"; "releases")\'')
        .replace('npm install left-pad', 'npm install only-in-releases'),
    });
    expect(r).not.toSucceed();
    expect(r.output).toMatch(/E403/);
    // the issuer role may read releases (the publisher token needs it); the reader's session may not
    expect(denials(reader, mark)[0].reason).toMatch(/implicitly denied: no session statement allows codeartifact:ReadFromRepository on .*repository\/.*\/releases/);
  });
});

describe('the publisher token (releases, read and publish)', () => {
  test('twine upload, as the README says, publishes to releases; pip then installs it', async () => {
    // GIVEN a wheel in dist/
    const wheel = pythonWheel('acme-release', '2.0.0');
    const cwd = project({ [`dist/${wheel.filename}`]: wheel.data });
    // WHEN
    const up = await run(publisher, ['read-secret', 'twine-upload'], cwd);
    // THEN
    expect(up).toSucceed();
    const install = await run(publisher, ['read-secret', 'pip-install'], project({}), {
      edit: (s) => s.replace('.endpoints.shared.pypi', '.endpoints.releases.pypi').replace(/ acme-tools$/m, ' acme-release==2.0.0'),
      env: { PIP_TARGET: path.join(cwd, 'site') },
    });
    expect(install).toSucceed();
    expect(install.output).toMatch(/Successfully installed acme-release-2\.0\.0/);
  });

  test('npm publish, as the README says, publishes to releases; npm install then finds it', async () => {
    const pub = await run(publisher, ['read-secret', 'npm-publish'], writeNpmPackage('fresh-release', '3.1.4'));
    expect(pub).toSucceed();
    const cwd = project();
    const install = await run(publisher, ['read-secret', 'npm-install'], cwd, {
      edit: (s) => s.replace('.endpoints.shared.npm', '.endpoints.releases.npm').replace('npm install left-pad', 'npm install fresh-release'),
    });
    expect(install).toSucceed();
    expect(fs.existsSync(path.join(cwd, 'node_modules', 'fresh-release', 'package.json'))).toBe(true);
  });

  test('cannot read shared, which only the reader token opens', async () => {
    const r = await run(publisher, ['read-secret', 'npm-install'], project(), {
      edit: (s) => s.replace('\'.endpoints.shared.npm\'', '\'.endpointTemplate | sub("{format}"; "npm") | sub("{repository}"; "shared")\''),
    });
    expect(r).not.toSucceed();
    expect(r.output).toMatch(/E403/);
  });
});

describe('tokens the repositories refuse', () => {
  test('a repository the template gives no token ("private"): the issuer gives no token for it, and the stored token cannot read it', async () => {
    // GIVEN a hand-made Update naming a repository the issuer role's policies do not grant, the tags changed to match
    reader.repositories.addRepository(reader.domainName, ACCOUNT, REGION, 'private');
    reader.repositories.seedNpm(reader.domainName, ACCOUNT, REGION, 'private', 'left-pad', '1.3.0');
    const stored = (await reader.value())!;
    await reader.updateSecretTags({ 'cdk-codeartifact-token:repositories': 'private' });
    try {
      // WHEN the handler asks the issuer for it
      const update = await reader.cfn('Update', { props: reader.properties({ Repositories: 'private' }), oldProps: reader.properties() });
      // THEN the issuer refuses a bearer token for a configuration that is not the template's; nothing is written
      expect(update.response?.Status).toBe('FAILED');
      expect(update.response?.Reason).toMatch(/not authorized to perform: sts:GetServiceBearerToken on resource: \* .*configuration the deployed template gives this secret's token/);
      expect((await reader.value())!).toEqual(stored);
      // AND the stored token, used on private, is refused: the issuer holds no right there (nor does the token's session policy)
      const mark = reader.repositories.requests.length;
      const r = await run(reader, ['read-secret', 'npm-install'], project(), {
        edit: (s) => s.replace('\'.endpoints.shared.npm\'', '\'.endpointTemplate | sub("{format}"; "npm") | sub("{repository}"; "private")\''),
      });
      expect(r).not.toSucceed();
      expect(denials(reader, mark)[0].reason).toMatch(/implicitly denied: no identity statement allows codeartifact:ReadFromRepository on .*repository\/.*\/private/);
    } finally {
      // AND back to the template's configuration
      await reader.updateSecretTags({ 'cdk-codeartifact-token:repositories': 'shared' });
    }
    expect((await reader.cfn('Update')).response?.Status).toBe('SUCCESS');
  });

  test('a token issued before a rotation works until it expires; the new one works at once; an expired one is refused', async () => {
    // GIVEN the current token
    const before = JSON.parse((await reader.value())!.value).authorizationToken;
    // WHEN a rotation replaces it
    const rotation = await reader.rotate();
    expect(rotation.steps.every((st) => st.invoke.ok)).toBe(true);
    const after = JSON.parse((await reader.value())!.value).authorizationToken;
    expect(after).not.toBe(before);
    // THEN the new token (AWSCURRENT) works at once, and the old one (now AWSPREVIOUS) still works
    const previous = (s: string) => s.replace('--query SecretString', '--version-stage AWSPREVIOUS --query SecretString');
    expect(await run(reader, ['read-secret', 'npm-install'], project())).toSucceed();
    expect(await run(reader, ['read-secret', 'npm-install'], project(), { edit: previous })).toSucceed();
    // AND once the old one expires, it is refused (401), while the new one still works
    reader.identities.expireToken(before);
    const expired = await run(reader, ['read-secret', 'npm-install'], project(), { edit: previous });
    expect(expired).not.toSucceed();
    expect(expired.output).toMatch(/E401/);
    expect(await run(reader, ['read-secret', 'npm-install'], project())).toSucceed();
  });
});

test('no token text reached a log line, a CloudFormation response or a client\'s output', () => {
  expect(reader.leaks()).toEqual([]);
  expect(publisher.leaks()).toEqual([]);
});
