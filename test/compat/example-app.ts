/**
 * The example app (integ/integ.default.ts: a domain, a repository and a token reading it, with its
 * monitoring) and the short-token one (integ/integ.short-tokens.ts: rotated through EventBridge
 * Scheduler, replicated), as a user writes them against the packed tarball, without the integ-runner
 * harness. test/compat/run.sh runs it with the oldest and the newest aws-cdk-lib the library accepts;
 * the checks are the template's key parts, which an older aws-cdk-lib could drop without an error
 * (it ignores props it does not know).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codeartifact from 'aws-cdk-lib/aws-codeartifact';
// Resolved from the installed tarball in the throwaway app that run.sh creates, not from this repository.
// eslint-disable-next-line import/no-unresolved
import { CodeArtifactAuthorizationToken } from 'cdk-codeartifact-token';

// aws-cdk-lib 2.262.0 and later check every template against CloudFormation's rules while synthesizing;
// this context makes their findings errors, so the example app must pass them (older releases ignore it).
const app = new App({ context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });

const stack = new Stack(app, 'CodeArtifactTokenDefault');
const domain = new codeartifact.CfnDomain(stack, 'Domain', { domainName: 'cdk-codeartifact-token-integ' });
const repository = new codeartifact.CfnRepository(stack, 'Repository', { domainName: domain.attrName, repositoryName: 'shared' });
const token = new CodeArtifactAuthorizationToken(stack, 'Token', { domain: domain.attrName, repositories: [repository.attrName] });
token.onRotationFailed('RotationFailed');
token.alarmOnStaleToken('StaleToken');

const short = new Stack(app, 'CodeArtifactTokenShort');
const shortDomain = new codeartifact.CfnDomain(short, 'Domain', { domainName: 'cdk-codeartifact-token-short' });
new CodeArtifactAuthorizationToken(short, 'Token', {
  domain: shortDomain.attrName,
  tokenDuration: Duration.minutes(15),
  replicaRegions: [{ region: 'us-west-2' }],
});

const assembly = app.synth();
const template = Template.fromStack(stack);
const shortTemplate = Template.fromStack(short);
const idOf = (t: Template, type: string): string => {
  const ids = Object.keys(t.findResources(type));
  assert.strictEqual(ids.length, 1, `expected one ${type}, got ${ids.join(', ') || 'none'}`);
  return ids[0];
};

for (const [t, s] of [[template, stack], [shortTemplate, short]] as const) {
  Annotations.fromStack(s).hasNoError('*', Match.anyValue());
  // The handler: Node.js 24 on arm64, logging only to its own log group (LoggingConfig needs aws-cdk-lib's
  // Function logGroup prop; without it the handler's role could not write its logs anywhere).
  const handlerId = idOf(t, 'AWS::Lambda::Function');
  const logGroupId = idOf(t, 'AWS::Logs::LogGroup');
  t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  t.hasResourceProperties('AWS::Lambda::Function', {
    Runtime: 'nodejs24.x',
    Architectures: ['arm64'],
    Handler: 'index.handler',
    MemorySize: 256,
    Timeout: 120,
    LoggingConfig: { LogGroup: { Ref: logGroupId } },
    Code: { S3Key: Match.stringLikeRegexp('^[0-9a-f]{64}\\.zip$') },
  });
  // The deploy-time issue, bounded by CloudFormation's ServiceTimeout (set as a raw property).
  t.hasResourceProperties('Custom::CodeArtifactAuthorizationToken', {
    ServiceToken: { 'Fn::GetAtt': [handlerId, 'Arn'] },
    ServiceTimeout: '300',
    Access: 'read',
  });
  // The handler's asset ships in the package and lands in the cloud assembly.
  const key: string = t.toJSON().Resources[handlerId].Properties.Code.S3Key;
  const asset = path.join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`, 'index.js');
  assert.ok(fs.existsSync(asset), `the handler asset ${asset} is missing`);
}

// The default token: 12 hours, rotated by Secrets Manager every 5 hours, watched by a rule and an alarm.
template.hasResourceProperties('Custom::CodeArtifactAuthorizationToken', { DurationSeconds: '43200' });
template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
  RotationRules: { ScheduleExpression: 'rate(5 hours)', Duration: '1h' },
  RotateImmediatelyOnUpdate: false,
});
template.hasResourceProperties('AWS::Events::Rule', {
  EventPattern: { source: ['aws.secretsmanager'], detail: { eventName: ['RotationFailed'] } },
});
template.hasResourceProperties('AWS::CloudWatch::Alarm', {
  Namespace: 'CdkCodeArtifactToken',
  MetricName: 'TokensIssued',
  EvaluationPeriods: 7,
  TreatMissingData: 'breaching',
});
template.resourceCountIs('AWS::Scheduler::Schedule', 0);

// The short token: 15 minutes, rotated every 5 minutes through EventBridge Scheduler, replicated.
shortTemplate.hasResourceProperties('Custom::CodeArtifactAuthorizationToken', { DurationSeconds: '900' });
shortTemplate.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
shortTemplate.hasResourceProperties('AWS::Scheduler::Schedule', {
  ScheduleExpression: 'rate(5 minutes)',
  FlexibleTimeWindow: { Mode: 'OFF' },
  Target: { Arn: { 'Fn::Join': ['', Match.arrayWith([':scheduler:::aws-sdk:secretsmanager:rotateSecret'])] } },
});
shortTemplate.hasResourceProperties('AWS::SecretsManager::Secret', { ReplicaRegions: [{ Region: 'us-west-2' }] });

console.log(`OK: the example apps synthesize with their key parts into ${assembly.directory}`);
