/**
 * Three tokens in one stack, for two domains and with three durations: they share one handler
 * Lambda (and its role), and each secret holds a fresh token of its own duration. The 12-hour token
 * rotates on Secrets Manager's schedule; the 6- and 8-hour ones, whose derived intervals are under
 * its 4-hour minimum, through EventBridge Scheduler schedules sharing one role.
 * Deploy with `TS_NODE_PREFER_TS_EXTS=true npx integ-runner --directory integ --language typescript --force integ.many-tokens.ts`.
 */
import * as assert from 'assert';
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codeartifact from 'aws-cdk-lib/aws-codeartifact';
import { CodeArtifactAuthorizationToken } from '../lib';
import { TokenChecker } from './token-checker';

const app = new App();
const stack = new Stack(app, 'CodeArtifactTokenManyTokens');

const packages = new codeartifact.CfnDomain(stack, 'PackagesDomain', { domainName: 'cdk-codeartifact-token-integ-many-a' });
const tools = new codeartifact.CfnDomain(stack, 'ToolsDomain', { domainName: 'cdk-codeartifact-token-integ-many-b' });

const tokens = [
  new CodeArtifactAuthorizationToken(stack, 'PackagesToken', { domain: packages.attrName }),
  new CodeArtifactAuthorizationToken(stack, 'PackagesShortToken', { domain: packages.attrName, tokenDuration: Duration.hours(6) }),
  new CodeArtifactAuthorizationToken(stack, 'ToolsToken', { domain: tools.attrName, tokenDuration: Duration.hours(8) }),
];

// One checker for all three: each secret holds a fresh token for its domain, of its own duration.
const checker = new TokenChecker(stack, 'Checker', tokens.map((token) => ({
  token,
  expect: { durationSeconds: token.tokenDuration.toSeconds() },
})));
const integ = new IntegTest(app, 'ManyTokens', { testCases: [stack] });
integ.assertions
  .invokeFunction({ functionName: checker.functionName })
  .expect(ExpectedResult.objectLike({ Payload: '"OK"' }));

// At synth, after everything is defined (this synthesizes the app): the tokens share one handler.
// The only other Lambda in the stack is the checker.
const template = Template.fromStack(stack);
const handlers = template.findResources('AWS::Lambda::Function', {
  Properties: { Description: Match.stringLikeRegexp('\\(cdk-codeartifact-token\\)$') },
});
assert.strictEqual(Object.keys(handlers).length, 1, `expected one token handler Lambda, got ${Object.keys(handlers).join(', ')}`);
const handlerArn = { 'Fn::GetAtt': [Object.keys(handlers)[0], 'Arn'] };
template.resourceCountIs('AWS::Lambda::Function', 2);
// The handler's role, the issuer role every token carries, the Scheduler role, and the checker's role.
template.resourceCountIs('AWS::IAM::Role', 4);
// Every token's first issue and its rotation go to that handler.
template.resourceCountIs('Custom::CodeArtifactAuthorizationToken', 3);
template.allResourcesProperties('Custom::CodeArtifactAuthorizationToken', { ServiceToken: handlerArn });
template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 1);
template.allResourcesProperties('AWS::SecretsManager::RotationSchedule', { RotationLambdaARN: handlerArn });
// rate(177 minutes) for 6 hours, rate(237 minutes) for 8: (duration - 5 minutes) / 2
template.resourceCountIs('AWS::Scheduler::Schedule', 2);
for (const expression of ['rate(177 minutes)', 'rate(237 minutes)']) {
  template.hasResourceProperties('AWS::Scheduler::Schedule', {
    ScheduleExpression: expression,
    Target: Match.objectLike({ Input: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([handlerArn])] }) }),
  });
}
// One issuer policy (its inline one) naming both domains, each once, and every repository of each (no
// repositories prop), and binding each of the three tokens to its configuration.
const issuerPolicies = template.findResources('AWS::IAM::Policy', {
  Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^CodeArtifactTokenHandlerIssuerRole') }] },
});
assert.strictEqual(Object.keys(issuerPolicies).length, 1, `expected one issuer policy, got ${Object.keys(issuerPolicies).join(', ')}`);
template.resourcePropertiesCountIs('AWS::IAM::ManagedPolicy', { Roles: [{ Ref: Match.stringLikeRegexp('^CodeArtifactTokenHandlerIssuerRole') }] }, 0);
const inDomain = (domain: string) => Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([{ 'Fn::GetAtt': [domain, 'Name'] }])] });
template.hasResourceProperties('AWS::IAM::Policy', {
  PolicyDocument: {
    Statement: [
      Match.objectLike({ Action: 'sts:GetServiceBearerToken' }),
      { Action: 'codeartifact:GetAuthorizationToken', Effect: 'Allow', Resource: [inDomain('PackagesDomain'), inDomain('ToolsDomain')] },
      { Action: 'codeartifact:ReadFromRepository', Effect: 'Allow', Resource: [inDomain('PackagesDomain'), inDomain('ToolsDomain')] },
    ],
  },
});
const bound = (Object.values(issuerPolicies)[0] as any).Properties.PolicyDocument.Statement[0].Condition.StringEquals;
for (const key of ['aws:PrincipalTag/cdk-codeartifact-token:token', 'aws:PrincipalTag/cdk-codeartifact-token:repositories']) {
  assert.strictEqual(bound[key].length, 3, `expected the three tokens bound under ${key}, got ${JSON.stringify(bound[key])}`);
}
