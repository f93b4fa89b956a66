import { Aspects, CfnResource, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NagSuppressions, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { CodeArtifactAuthorizationToken, RepositoryAccess } from '../lib';
import { newStack } from './util';

function nagFindings(stack: Stack, pack: NagPack = new AwsSolutionsChecks({ verbose: true })): string[] {
  Aspects.of(stack).add(pack);
  const annotations = Annotations.fromStack(stack);
  return [
    ...annotations.findError('*', Match.stringLikeRegexp('(AwsSolutions|NIST|HIPAA|PCI|Serverless).*')),
    ...annotations.findWarning('*', Match.stringLikeRegexp('(AwsSolutions|NIST|HIPAA|PCI|Serverless).*')),
  ].map((m) => `${m.id}: ${m.entry.data}`);
}

/** The reasons recorded on the stack's resources, for every rule we suppress. */
function suppressionReasons(stack: Stack): Array<{ id: string; reason: string }> {
  return Object.values(Template.fromStack(stack).toJSON().Resources as Record<string, any>)
    .flatMap((r) => r.Metadata?.cdk_nag?.rules_to_suppress ?? []);
}

describe('cdk-nag AwsSolutions', () => {
  test('the default configuration passes', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'my-domain' });
    // THEN
    expect(nagFindings(stack)).toEqual([]);
  });

  test('several tokens with a customer-managed key and custom settings pass', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new CodeArtifactAuthorizationToken(stack, 'A', { domain: 'domain-a', encryptionKey: key, tokenDuration: Duration.hours(8) });
    new CodeArtifactAuthorizationToken(stack, 'B', { domain: 'domain-b', domainOwner: '444455556666', secretName: 'ci/token-b' });
    new CodeArtifactAuthorizationToken(stack, 'C', { domain: 'domain-a', repositories: ['releases'], access: RepositoryAccess.READ_AND_PUBLISH });
    expect(nagFindings(stack)).toEqual([]);
  });

  test('a handler in a VPC passes, its managed policy suppressed with a reason', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { restrictDefaultSecurityGroup: false });
    // the example VPC is the user's, not ours: its own findings are not this library's to fix
    NagSuppressions.addResourceSuppressions(vpc, [{ id: 'AwsSolutions-VPC7', reason: 'test VPC without flow logs' }]);
    new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'my-domain', vpc });
    expect(nagFindings(stack)).toEqual([]);
  });

  test('every suppression names the rule and a specific reason', () => {
    const stack = newStack();
    new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'my-domain', vpc: new ec2.Vpc(stack, 'Vpc') });
    const suppressions = suppressionReasons(stack).filter((s) => s.id.startsWith('AwsSolutions'));
    // the VPC execution role; the handler's tag-scoped secrets; the issuer's bearer token; the issuer's repository wildcard
    expect(suppressions.map((s) => s.id).sort()).toEqual(['AwsSolutions-IAM4', 'AwsSolutions-IAM5', 'AwsSolutions-IAM5', 'AwsSolutions-IAM5']);
    for (const s of suppressions) {
      expect(s.reason.length).toBeGreaterThan(60);
    }
    expect(new Set(suppressions.map((s) => s.reason)).size).toBe(suppressions.length);
  });

  test('without the suppressions, cdk-nag would flag exactly the conditioned and the repository-scoped wildcards', () => {
    // GIVEN: a token for every repository and a publishing token, with our suppression metadata stripped
    const stack = newStack();
    new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'my-domain' });
    new CodeArtifactAuthorizationToken(stack, 'Publisher', { domain: 'my-domain', repositories: ['releases'], access: RepositoryAccess.READ_AND_PUBLISH });
    for (const c of stack.node.findAll()) {
      if (c instanceof CfnResource) {
        delete c.cfnOptions.metadata?.cdk_nag;
      }
    }
    // THEN
    const findings = nagFindings(stack).map((f) => /AwsSolutions-IAM5\[Resource::[^\]]*\]/.exec(f)?.[0]).sort();
    expect(findings).toEqual([
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:codeartifact:eu-west-1:111122223333:package/my-domain/releases/*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:codeartifact:eu-west-1:111122223333:repository/my-domain/*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:eu-west-1:111122223333:secret:*]',
    ]);
  });
});

describe('cdk-nag compliance packs: NIST 800-53 R5, HIPAA, PCI DSS 3.2.1, Serverless', () => {
  const packs = () => [
    new NIST80053R5Checks({ verbose: true }), new HIPAASecurityChecks({ verbose: true }),
    new PCIDSS321Checks({ verbose: true }), new ServerlessChecks({ verbose: true }),
  ];

  test.each(packs().map((p) => [p.readPackName, p]))('the default configuration passes %s, each choice with a specific reason', (_name, pack) => {
    const stack = newStack();
    new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'my-domain', repositories: ['shared'] });
    expect(nagFindings(stack, pack as NagPack)).toEqual([]);
    const reasons = suppressionReasons(stack).filter((s) => !s.id.startsWith('AwsSolutions'));
    for (const r of reasons) expect(r.reason.length).toBeGreaterThan(80);
  });

  test.each(packs().map((p) => [p.readPackName, p]))('15-minute tokens rotated by EventBridge Scheduler, with replicas, pass %s and AwsSolutions', (_name, pack) => {
    // GIVEN / WHEN
    const stack = newStack();
    new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'my-domain', tokenDuration: Duration.minutes(15), replicaRegions: [{ region: 'us-east-1' }] });
    // THEN
    expect(nagFindings(stack, pack as NagPack)).toEqual([]);
    expect(nagFindings(stack)).toEqual([]);
    // the secret's rotation and the Scheduler role's tag-scoped RotateSecret are suppressed, each with its reason
    const reasons = suppressionReasons(stack);
    expect(reasons.find((r) => r.id === 'AwsSolutions-SMG4')?.reason).toMatch(/EventBridge Scheduler schedule calls RotateSecret/);
    expect(reasons.filter((r) => r.id === 'AwsSolutions-IAM5').map((r) => r.reason).join('\n')).toMatch(/RotateSecret is limited by aws:ResourceTag conditions/);
  });

  test('with a customer-managed key for the secret and the logs, reserved concurrency and a VPC, those findings are fixed, not suppressed', () => {
    // GIVEN
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const vpc = new ec2.Vpc(stack, 'Vpc', { restrictDefaultSecurityGroup: false });
    // WHEN
    new CodeArtifactAuthorizationToken(stack, 'Token', {
      domain: 'my-domain', encryptionKey: key, logGroupEncryptionKey: key, handlerReservedConcurrency: 5, vpc,
    });
    // THEN no suppression is recorded for them
    const ids = suppressionReasons(stack).map((s) => s.id);
    for (const rule of ['SecretsManagerUsingKMSKey', 'CloudWatchLogGroupEncrypted', 'LambdaConcurrency', 'LambdaInsideVPC']) {
      expect(ids.filter((id) => id.endsWith(rule))).toEqual([]);
    }
    // AND the packs find nothing of ours (the example VPC's own findings are the user's)
    for (const pack of packs()) {
      expect(nagFindings(stack, pack).filter((f) => !f.includes('/Vpc/') && !f.startsWith('/TestStack/Key'))).toEqual([]);
    }
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 5 });
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } });
    // the key lets CloudWatch Logs of the region use it
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'logs.eu-west-1.amazonaws.com' } })]) },
    });
  });
});
