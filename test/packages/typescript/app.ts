/**
 * A CDK app as a user writes it, against the packed npm tarball: every public member is used and
 * the synthesized template is checked.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
// Resolved from the installed tarball in the throwaway app that run.sh creates, not from this repository.
// eslint-disable-next-line import/no-unresolved
import { CodeArtifactAuthorizationToken, CodeArtifactAuthorizationTokenProps } from 'cdk-codeartifact-token';

const app = new App();
const stack = new Stack(app, 'Consumer', { env: { account: '111122223333', region: 'eu-west-1' } });
const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });

const props: CodeArtifactAuthorizationTokenProps = {
  domain: 'my-domain',
  domainOwner: '444455556666',
  domainRegion: 'us-east-1',
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

const project = new codebuild.PipelineProject(stack, 'Build');
const readGrant: iam.Grant = token.grantRead(project);
const issuer = new iam.Role(stack, 'Issuer', { assumedBy: new iam.AccountRootPrincipal() });
const issueGrant: iam.Grant = token.grantGetAuthorizationToken(issuer);

assert.ok(readGrant.success && issueGrant.success);
assert.strictEqual(token.domain, 'my-domain');
assert.strictEqual(token.domainOwner, '444455556666');
assert.strictEqual(token.domainRegion, 'us-east-1');
assert.strictEqual(token.tokenDuration.toHours(), 10);
assert.strictEqual(token.rotationInterval.toHours(), 4);
assert.match(stack.resolve(token.domainArn)['Fn::Join'][1][2], /:codeartifact:us-east-1:444455556666:domain\/my-domain$/);
assert.ok(token.secret.secretArn);

const template = Template.fromStack(stack);
template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'ci/codeartifact-token' });
template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
  RotationRules: { ScheduleExpression: 'rate(4 hours)', Duration: '1h' },
});
template.hasResourceProperties('Custom::CodeArtifactAuthorizationToken', { DurationSeconds: '36000', DomainRegion: 'us-east-1' });
template.hasResourceProperties('AWS::Lambda::Function', {
  Runtime: 'nodejs24.x',
  VpcConfig: { SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^HandlerSg'), 'GroupId'] }] },
});
template.hasResourceProperties('AWS::IAM::Policy', {
  Roles: [{ Ref: Match.stringLikeRegexp('^Issuer') }],
  PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'sts:GetServiceBearerToken' })]) },
});

// The handler asset ships in the package and lands in the cloud assembly.
const assembly = app.synth();
const assets = fs.readdirSync(assembly.directory).filter((d: string) => d.startsWith('asset.'));
assert.ok(assets.some((d: string) => fs.existsSync(`${assembly.directory}/${d}/index.js`)), 'handler asset missing');
console.log(`OK: every member used; ${Object.keys(template.toJSON().Resources).length} resources; assets ${assets.join(', ')}`);
