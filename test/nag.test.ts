import { Aspects, CfnResource, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import { CodeArtifactAuthorizationToken, RepositoryAccess } from '../lib';
import { newStack } from './util';

function nagFindings(stack: Stack): string[] {
  Aspects.of(stack).add(new AwsSolutionsChecks({ verbose: true }));
  const annotations = Annotations.fromStack(stack);
  return [
    ...annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ...annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
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
    const suppressions = suppressionReasons(stack);
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
