/**
 * A CDK app as a user writes it, against the packed npm tarball: every public member is used and
 * the synthesized template is checked.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import { App, CfnElement, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codeartifact from 'aws-cdk-lib/aws-codeartifact';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
// Resolved from the installed tarball in the throwaway app that run.sh creates, not from this repository.
// eslint-disable-next-line import/no-unresolved
import { CodeArtifactAuthorizationToken, CodeArtifactAuthorizationTokenProps, PackageFormat, RepositoryAccess } from 'cdk-codeartifact-token';

const app = new App();
const stack = new Stack(app, 'Consumer', { env: { account: '111122223333', region: 'eu-west-1' } });
// The domain's own account, where its domain and repository policies must let the token's issuer in.
const owner = new Stack(app, 'DomainOwner', { env: { account: '444455556666', region: 'us-east-1' } });
const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });

const props: CodeArtifactAuthorizationTokenProps = {
  domain: 'my-domain',
  domainOwner: '444455556666',
  domainRegion: 'us-east-1',
  repositories: ['shared', 'releases'],
  access: RepositoryAccess.READ_AND_PUBLISH,
  tokenDuration: Duration.hours(10),
  rotationInterval: Duration.hours(4),
  secretName: 'ci/codeartifact-token',
  encryptionKey: key,
  removalPolicy: RemovalPolicy.RETAIN,
  vpc,
  vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
  securityGroups: [new ec2.SecurityGroup(stack, 'HandlerSg', { vpc })],
};
const token = new CodeArtifactAuthorizationToken(stack, 'Token', props);

const project = new codebuild.PipelineProject(stack, 'Build', {
  environmentVariables: {
    NPM_CONFIG_REGISTRY: { value: token.repositoryEndpoint('releases', PackageFormat.NPM) },
  },
});
const readGrant: iam.Grant = token.grantRead(project);
const issuer = new iam.Role(stack, 'Issuer', { assumedBy: new iam.AccountRootPrincipal() });
const issueGrant: iam.Grant = token.grantGetAuthorizationToken(issuer);
const issuerRole: iam.IRole = token.issuerRole;

// The domain owner's stack trusts the issuer role by name: no cross-stack reference between accounts.
new codeartifact.CfnDomain(owner, 'Domain', {
  domainName: 'my-domain',
  permissionsPolicyDocument: new iam.PolicyDocument({ statements: [token.domainPolicyStatement()] }),
});
for (const repositoryName of token.repositories ?? []) {
  new codeartifact.CfnRepository(owner, `Repository-${repositoryName}`, {
    domainName: 'my-domain',
    repositoryName,
    permissionsPolicyDocument: new iam.PolicyDocument({ statements: [token.repositoryPolicyStatement()] }),
  });
}

assert.ok(readGrant.success && issueGrant.success);
assert.strictEqual(token.domain, 'my-domain');
assert.strictEqual(token.domainOwner, '444455556666');
assert.strictEqual(token.domainRegion, 'us-east-1');
assert.deepStrictEqual(token.repositories, ['shared', 'releases']);
assert.strictEqual(token.access, RepositoryAccess.READ_AND_PUBLISH);
assert.strictEqual(token.tokenDuration.toHours(), 10);
assert.strictEqual(token.rotationInterval.toHours(), 4);
assert.match(stack.resolve(token.domainArn)['Fn::Join'][1][2], /:codeartifact:us-east-1:444455556666:domain\/my-domain$/);
assert.ok(token.secret.secretArn);
assert.strictEqual(token.repositoryEndpoint('releases', PackageFormat.NPM),
  'https://my-domain-444455556666.d.codeartifact.us-east-1.amazonaws.com/npm/releases/');
assert.strictEqual(token.repositoryEndpoint('shared', PackageFormat.PYPI),
  'https://my-domain-444455556666.d.codeartifact.us-east-1.amazonaws.com/pypi/shared/');
assert.throws(() => token.repositoryEndpoint('other', PackageFormat.NPM), /repository "other" is not one this token opens/);

const template = Template.fromStack(stack);
const issuerRoleId = stack.getLogicalId(issuerRole.node.defaultChild as CfnElement);
const codeArtifactArn = (resource: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:codeartifact:us-east-1:444455556666:${resource}`]],
});

template.hasResourceProperties('AWS::SecretsManager::Secret', {
  Name: 'ci/codeartifact-token',
  Tags: Match.arrayWith([{ Key: 'cdk-codeartifact-token:repositories', Value: 'shared releases' }]),
});
template.hasResourceProperties('AWS::SecretsManager::Secret', {
  Tags: Match.arrayWith([{ Key: 'cdk-codeartifact-token:access', Value: 'read-and-publish' }]),
});
template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
  RotationRules: { ScheduleExpression: 'rate(4 hours)', Duration: '1h' },
});
template.hasResourceProperties('Custom::CodeArtifactAuthorizationToken', {
  DurationSeconds: '36000',
  DomainRegion: 'us-east-1',
  Repositories: 'shared releases',
  Access: 'read-and-publish',
});
template.hasResourceProperties('AWS::Lambda::Function', {
  Runtime: 'nodejs24.x',
  VpcConfig: { SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^HandlerSg'), 'GroupId'] }] },
  Environment: { Variables: { ISSUER_ROLE_ARN: { 'Fn::GetAtt': [issuerRoleId, 'Arn'] } } },
});
// The issuer role's policy (its inline one, for these two tokens): the domain, the two repositories
// and their packages, and the binding of each token to its configuration.
const issuerPolicy = (statement: object) => template.hasResourceProperties('AWS::IAM::Policy', {
  Roles: [{ Ref: issuerRoleId }],
  PolicyDocument: { Statement: Match.arrayWith([statement]) },
});
issuerPolicy({ Action: 'codeartifact:GetAuthorizationToken', Effect: 'Allow', Resource: codeArtifactArn('domain/my-domain') });
issuerPolicy({
  Action: 'codeartifact:ReadFromRepository',
  Effect: 'Allow',
  Resource: [codeArtifactArn('repository/my-domain/shared'), codeArtifactArn('repository/my-domain/releases')],
});
issuerPolicy({
  Action: ['codeartifact:PublishPackageVersion', 'codeartifact:PutPackageMetadata'],
  Effect: 'Allow',
  Resource: [codeArtifactArn('package/my-domain/shared/*'), codeArtifactArn('package/my-domain/releases/*')],
});
template.hasResourceProperties('AWS::CodeBuild::Project', {
  Environment: {
    EnvironmentVariables: Match.arrayWith([{
      Name: 'NPM_CONFIG_REGISTRY',
      Type: 'PLAINTEXT',
      Value: 'https://my-domain-444455556666.d.codeartifact.us-east-1.amazonaws.com/npm/releases/',
    }]),
  },
});
template.hasResourceProperties('AWS::IAM::Policy', {
  Roles: [{ Ref: Match.stringLikeRegexp('^Issuer') }],
  PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'sts:GetServiceBearerToken' })]) },
});

// The owner's policies name the issuer role by the physical name generated for it.
const roleName: string = template.toJSON().Resources[issuerRoleId].Properties.RoleName;
assert.match(roleName, /^consumer/);
const issuerPrincipal = { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::111122223333:role/${roleName}`]] } };
const ownerTemplate = Template.fromStack(owner);
ownerTemplate.hasResourceProperties('AWS::CodeArtifact::Domain', {
  PermissionsPolicyDocument: {
    Statement: [{ Action: 'codeartifact:GetAuthorizationToken', Effect: 'Allow', Principal: issuerPrincipal, Resource: '*' }],
  },
});
ownerTemplate.resourceCountIs('AWS::CodeArtifact::Repository', 2);
ownerTemplate.allResourcesProperties('AWS::CodeArtifact::Repository', {
  PermissionsPolicyDocument: {
    Statement: [{
      Action: ['codeartifact:ReadFromRepository', 'codeartifact:PublishPackageVersion', 'codeartifact:PutPackageMetadata'],
      Effect: 'Allow',
      Principal: issuerPrincipal,
      Resource: '*',
    }],
  },
});

// The handler asset ships in the package and lands in the cloud assembly.
const assembly = app.synth();
const assets = fs.readdirSync(assembly.directory).filter((d: string) => d.startsWith('asset.'));
assert.ok(assets.some((d: string) => fs.existsSync(`${assembly.directory}/${d}/index.js`)), 'handler asset missing');
console.log(`OK: every member used; ${Object.keys(template.toJSON().Resources).length} resources; assets ${assets.join(', ')}`);
