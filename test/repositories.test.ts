import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codeartifact from 'aws-cdk-lib/aws-codeartifact';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CodeArtifactAuthorizationToken, PackageFormat, RepositoryAccess } from '../lib';
import { ACCOUNT, expectWithinIamQuotas, newStack, REGION, statementsFor } from './util';

const arn = (resource: string, owner = ACCOUNT, region = REGION) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:codeartifact:${region}:${owner}:${resource}`]],
});
const tagsOf = (template: Template, idPrefix: string) => {
  const [, secret] = Object.entries(template.findResources('AWS::SecretsManager::Secret')).find(([id]) => id.startsWith(idPrefix))! as [string, any];
  return Object.fromEntries(secret.Properties.Tags.map((t: any) => [t.Key.replace('cdk-codeartifact-token:', ''), t.Value]));
};

describe('tokens with their own repositories and access in one stack', () => {
  // GIVEN
  const stack = newStack();
  // WHEN token A reads shared, token B publishes to releases
  const a = new CodeArtifactAuthorizationToken(stack, 'A', { domain: 'my-domain', repositories: ['shared'] });
  const b = new CodeArtifactAuthorizationToken(stack, 'B', { domain: 'my-domain', repositories: ['releases'], access: RepositoryAccess.READ_AND_PUBLISH });
  const template = Template.fromStack(stack);

  test('the issuer role holds the union of their rights, and nothing more', () => {
    expect(statementsFor(template, 'codeartifact:GetAuthorizationToken')).toEqual([
      { Action: 'codeartifact:GetAuthorizationToken', Effect: 'Allow', Resource: arn('domain/my-domain') },
    ]);
    expect(statementsFor(template, 'codeartifact:ReadFromRepository')).toEqual([
      { Action: 'codeartifact:ReadFromRepository', Effect: 'Allow', Resource: [arn('repository/my-domain/shared'), arn('repository/my-domain/releases')] },
    ]);
    expect(statementsFor(template, 'codeartifact:PublishPackageVersion')).toEqual([{
      Action: ['codeartifact:PublishPackageVersion', 'codeartifact:PutPackageMetadata'],
      Effect: 'Allow',
      Resource: arn('package/my-domain/releases/*'),
    }]);
  });

  test('each secret carries its own token\'s repositories and access, which its session policy is built from', () => {
    expect(tagsOf(template, 'ASecret')).toMatchObject({ repositories: 'shared', access: 'read' });
    expect(tagsOf(template, 'BSecret')).toMatchObject({ repositories: 'releases', access: 'read-and-publish' });
    template.hasResourceProperties('Custom::CodeArtifactAuthorizationToken', { SecretId: { Ref: Match.stringLikeRegexp('^BSecret') }, Repositories: 'releases', Access: 'read-and-publish' });
    expect(a.access).toBe(RepositoryAccess.READ);
    expect(b.repositories).toEqual(['releases']);
  });

  test('both tokens share one issuer role', () => {
    expect(stack.resolve(a.issuerRole.roleArn)).toEqual(stack.resolve(b.issuerRole.roleArn));
  });

  test('repositoryEndpoint gives the endpoint of a repository the token opens, and refuses another', () => {
    expect(a.repositoryEndpoint('shared', PackageFormat.NPM)).toBe(`https://my-domain-${ACCOUNT}.d.codeartifact.${REGION}.amazonaws.com/npm/shared/`);
    expect(b.repositoryEndpoint('releases', PackageFormat.PYPI)).toBe(`https://my-domain-${ACCOUNT}.d.codeartifact.${REGION}.amazonaws.com/pypi/releases/`);
    expect(() => a.repositoryEndpoint('releases', PackageFormat.NPM))
      .toThrow(/repositoryEndpoint: repository "releases" is not one this token opens \(repositories \["shared"\]\)/);
  });

  test('repositoryPolicyStatement lets the issuer read (and publish, for a publishing token)', () => {
    expect(stack.resolve(a.repositoryPolicyStatement().toStatementJson())).toEqual({
      Action: 'codeartifact:ReadFromRepository', Effect: 'Allow', Principal: { AWS: stack.resolve(a.issuerRole.roleArn) }, Resource: '*',
    });
    expect(stack.resolve(b.repositoryPolicyStatement().toStatementJson()).Action)
      .toEqual(['codeartifact:ReadFromRepository', 'codeartifact:PublishPackageVersion', 'codeartifact:PutPackageMetadata']);
    expect(stack.resolve(a.domainPolicyStatement().toStatementJson())).toEqual({
      Action: 'codeartifact:GetAuthorizationToken', Effect: 'Allow', Principal: { AWS: stack.resolve(a.issuerRole.roleArn) }, Resource: '*',
    });
  });
});

describe('endpoints in every partition', () => {
  test.each([
    ['cn-north-1', 'https://my-domain-111122223333.d.codeartifact.cn-north-1.amazonaws.com.cn/maven/shared/'],
    ['us-gov-west-1', 'https://my-domain-111122223333.d.codeartifact.us-gov-west-1.amazonaws.com/maven/shared/'],
    ['eu-central-1', 'https://my-domain-111122223333.d.codeartifact.eu-central-1.amazonaws.com/maven/shared/'],
  ])('%s', (domainRegion, endpoint) => {
    const token = new CodeArtifactAuthorizationToken(newStack(), 'Token', { domain: 'my-domain', domainRegion, repositories: ['shared'] });
    expect(token.repositoryEndpoint('shared', PackageFormat.MAVEN)).toBe(endpoint);
  });

  test('a region known only at deploy time takes the stack\'s URL suffix', () => {
    const stack = new Stack(new App(), 'Agnostic');
    const token = new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'my-domain', domainOwner: ACCOUNT });
    expect(stack.resolve(token.repositoryEndpoint('any', PackageFormat.NUGET))).toEqual({
      'Fn::Join': ['', [`https://my-domain-${ACCOUNT}.d.codeartifact.`, { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/nuget/any/']],
    });
  });
});

test('a domain in another account trusts the issuer by name, with no cross-stack reference', () => {
  // GIVEN a token stack in one account, and the domain owner's stack in another
  const app = new App();
  const consumer = new Stack(app, 'Consumer', { env: { account: ACCOUNT, region: REGION } });
  const owner = new Stack(app, 'Owner', { env: { account: '444455556666', region: REGION } });
  const token = new CodeArtifactAuthorizationToken(consumer, 'Token', { domain: 'shared', domainOwner: '444455556666', repositories: ['npm-store'] });
  // WHEN
  new codeartifact.CfnDomain(owner, 'Domain', {
    domainName: 'shared',
    permissionsPolicyDocument: new iam.PolicyDocument({ statements: [token.domainPolicyStatement()] }),
  });
  new codeartifact.CfnRepository(owner, 'Repo', {
    domainName: 'shared',
    repositoryName: 'npm-store',
    permissionsPolicyDocument: new iam.PolicyDocument({ statements: [token.repositoryPolicyStatement()] }),
  });
  // THEN the owner's policies name the issuer role's generated name
  const issuerName = Template.fromStack(consumer).findResources('AWS::IAM::Role', { Properties: { RoleName: Match.anyValue() } });
  const roleName = (Object.values(issuerName)[0] as any).Properties.RoleName;
  expect(roleName).toMatch(/^consumer/i);
  const principal = { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${ACCOUNT}:role/${roleName}`]] } };
  Template.fromStack(owner).hasResourceProperties('AWS::CodeArtifact::Domain', {
    PermissionsPolicyDocument: { Statement: [{ Action: 'codeartifact:GetAuthorizationToken', Effect: 'Allow', Principal: principal, Resource: '*' }] },
  });
  Template.fromStack(owner).hasResourceProperties('AWS::CodeArtifact::Repository', {
    PermissionsPolicyDocument: { Statement: [{ Action: 'codeartifact:ReadFromRepository', Effect: 'Allow', Principal: principal, Resource: '*' }] },
  });
});

describe('validation of repositories and access', () => {
  const make = (props: Partial<ConstructorParameters<typeof CodeArtifactAuthorizationToken>[2]>) => () =>
    new CodeArtifactAuthorizationToken(newStack(), 'Token', { domain: 'my-domain', ...props });

  test.each([['-dash-first'], ['a'], ['has space'], ['x'.repeat(101)]])('rejects repository name %j, quoting it', (name) => {
    expect(make({ repositories: ['ok', name] })).toThrow(new RegExp(`repositories must be CodeArtifact repository names: .*got ${JSON.stringify(name)}`));
  });

  test('rejects an empty list, a repeated name, and publishing without named repositories', () => {
    expect(make({ repositories: [] })).toThrow(/repositories must name at least one repository, or be left out for every repository in the domain, got \[\]/);
    expect(make({ repositories: ['a1', 'b2', 'a1'] })).toThrow(/repositories must not repeat a name, got "a1" more than once/);
    expect(make({ access: RepositoryAccess.READ_AND_PUBLISH })).toThrow(/access READ_AND_PUBLISH needs repositories/);
  });

  test('rejects a list that cannot fit in the tag the rotation reads', () => {
    const names = Array.from({ length: 30 }, (_, i) => `repository-${String(i).padStart(3, '0')}`);
    expect(make({ repositories: names })).toThrow(/repositories must take at most 243 characters when joined by spaces .*got 30 names taking 449 characters/);
  });

  test('a list that fits a secret tag but not the session tag that binds it to the token is refused, naming both limits', () => {
    // GIVEN three names taking 244 characters: 12 under the secret tag's 256, 1 over the session tag's 243
    const names = ['a'.repeat(80), 'b'.repeat(81), 'c'.repeat(81)];
    // THEN
    expect(make({ repositories: names })).toThrow(/repositories must take at most 243 characters when joined by spaces \(a secret tag holds at most 256, and the STS session tag that binds them to the token at most 256, of which the token's id and a space take 13\), got 3 names taking 244 characters/);
    expect(make({ repositories: ['a'.repeat(80), 'b'.repeat(81), 'c'.repeat(80)] })).not.toThrow();
  });

  test('rejects repositories whose session policy would pass the 2,048 characters STS accepts', () => {
    const names = Array.from({ length: 20 }, (_, i) => `repo${i}`);
    expect(make({ repositories: names, access: RepositoryAccess.READ_AND_PUBLISH }))
      .toThrow(/repositories: 20 repositories make a session policy of up to \d+ characters, more than the 2048 AWS STS accepts/);
    // the same names, read-only, fit
    expect(make({ repositories: names })).not.toThrow();
  });

  test('accepts repository names known only at deploy time, counting them at their longest', () => {
    const stack = newStack();
    const repo = new codeartifact.CfnRepository(stack, 'Repo', { domainName: 'my-domain', repositoryName: 'shared' });
    const token = new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'my-domain', repositories: [repo.attrName] });
    expect(stack.resolve(token.repositoryEndpoint(repo.attrName, PackageFormat.NPM))).toEqual({
      'Fn::Join': ['', [`https://my-domain-${ACCOUNT}.d.codeartifact.${REGION}.amazonaws.com/npm/`, { 'Fn::GetAtt': ['Repo', 'Name'] }, '/']],
    });
    expect(tagsOf(Template.fromStack(stack), 'TokenSecret').repositories).toEqual({ 'Fn::GetAtt': ['Repo', 'Name'] });
  });
});

describe('scale with repositories', () => {
  test('150 tokens with 2 repositories each, half of them publishing, add 3 resources each within IAM limits', () => {
    // GIVEN
    const one = newStack('One');
    new CodeArtifactAuthorizationToken(one, 'Token', { domain: 'team-0', repositories: ['npm-store'] });
    const base = Object.keys(Template.fromStack(one).toJSON().Resources).length;
    const stack = newStack();
    // WHEN
    for (let i = 0; i < 150; i++) {
      new CodeArtifactAuthorizationToken(stack, `Token${i}`, {
        domain: `team-${i % 3}`,
        repositories: [`service-${i}-packages`, 'npm-store'],
        access: i % 2 ? RepositoryAccess.READ_AND_PUBLISH : RepositoryAccess.READ,
      });
    }
    // THEN
    const template = Template.fromStack(stack);
    const resources = Object.values(template.toJSON().Resources) as any[];
    const isPolicy = (r: any) => r.Type === 'AWS::IAM::ManagedPolicy' || r.Type === 'AWS::IAM::Policy';
    const basePolicies = Object.values(Template.fromStack(one).toJSON().Resources).filter(isPolicy).length;
    // the policies that grow with the tokens' rights and bindings are the only extra resources
    expect(resources.filter((r) => !isPolicy(r)).length).toBe(base - basePolicies + 149 * 3);
    expect((resources.length - base) / 149).toBeLessThanOrEqual(3.05);
    expectWithinIamQuotas(template);
    // AND every token is bound to its own two repositories and access, 150 distinct configurations
    const bound = statementsFor(template, 'sts:GetServiceBearerToken')
      .flatMap((st) => st.Condition.StringEquals['aws:PrincipalTag/cdk-codeartifact-token:repositories']) as string[];
    expect(new Set(bound.map((v) => v.replace(/^[0-9a-f]{12} /, ''))).size).toBe(150);
    expect(statementsFor(template, 'codeartifact:ReadFromRepository').flatMap((st) => [st.Resource].flat())).toHaveLength(150 + 3);
    expect(statementsFor(template, 'codeartifact:PublishPackageVersion').flatMap((st) => [st.Resource].flat())).toHaveLength(75 + 3);
  });
});
