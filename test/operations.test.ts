import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CodeArtifactAuthorizationToken, PackageFormat } from '../lib';
import { newStack, statementsFor } from './util';

const secretRef = { Ref: Match.stringLikeRegexp('^TokenSecret') };

describe('onRotationFailed', () => {
  test('matches Secrets Manager\'s RotationFailed events of this token\'s secret only', () => {
    // GIVEN
    const stack = newStack();
    const token = new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'my-domain' });
    // WHEN
    token.onRotationFailed('RotationFailed');
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.secretsmanager'],
        'detail-type': ['AWS Service Event via CloudTrail'],
        'detail': {
          eventSource: ['secretsmanager.amazonaws.com'],
          eventName: ['RotationFailed'],
          additionalEventData: { SecretId: [secretRef] },
        },
      },
      State: 'ENABLED',
      Targets: Match.absent(),
    });
  });

  test('takes a target, a name and a description, and merges the caller\'s eventPattern, as onEvent helpers do', () => {
    // GIVEN
    const stack = newStack();
    const token = new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'my-domain' });
    const topic = new sns.Topic(stack, 'Topic');
    // WHEN
    const rule = token.onRotationFailed('RotationFailed', {
      target: new targets.SnsTopic(topic),
      ruleName: 'token-rotation-failed',
      description: 'page the platform team',
      eventPattern: { region: ['eu-west-1'] },
    });
    // THEN
    expect(rule).toBeInstanceOf(events.Rule);
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      Name: 'token-rotation-failed',
      Description: 'page the platform team',
      EventPattern: Match.objectLike({ 'region': ['eu-west-1'], 'detail-type': ['AWS Service Event via CloudTrail'] }),
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^Topic') } })],
    });
  });
});

describe('metricTokensIssued', () => {
  test('is the handler\'s EMF metric: namespace, name, the secret\'s ARN as dimension, Sum', () => {
    // GIVEN
    const stack = newStack();
    const token = new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'my-domain' });
    // WHEN
    const metric = token.metricTokensIssued();
    const custom = token.metricTokensIssued({ period: Duration.hours(1), label: 'tokens' });
    // THEN
    expect(metric.namespace).toBe('CdkCodeArtifactToken');
    expect(metric.metricName).toBe('TokensIssued');
    expect(metric.statistic).toBe('Sum');
    expect(metric.period.toMinutes()).toBe(5);
    expect(Object.keys(metric.dimensions!)).toEqual(['SecretArn']);
    expect(stack.resolve(metric.dimensions!.SecretArn)).toEqual(stack.resolve(token.secret.secretArn));
    expect([custom.period.toHours(), custom.label, custom.statistic]).toEqual([1, 'tokens', 'Sum']);
  });
});

describe('alarmOnStaleToken', () => {
  test.each([
    // tokenDuration, rotationInterval, hours: interval + 1-hour window + 1 hour of margin
    [12, undefined, 7],
    [12, 8, 10],
    [8, undefined, 6],
  ])('with %d-hour tokens and rotationInterval %s, fires after %d hourly periods without a token; missing data breaches', (duration, interval, hours) => {
    // GIVEN
    const stack = newStack();
    const token = new CodeArtifactAuthorizationToken(stack, 'Token', {
      domain: 'my-domain',
      tokenDuration: Duration.hours(duration),
      rotationInterval: interval === undefined ? undefined : Duration.hours(interval),
    });
    // WHEN
    token.alarmOnStaleToken('Stale');
    // THEN: the alarm's window covers the longest healthy gap between two issues
    expect(hours * 3600).toBeGreaterThanOrEqual(token.rotationInterval.toSeconds() + 3600);
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'CdkCodeArtifactToken',
      MetricName: 'TokensIssued',
      Dimensions: [{ Name: 'SecretArn', Value: secretRef }],
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: hours,
      DatapointsToAlarm: hours,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
      AlarmDescription: Match.stringLikeRegexp(`in ${hours} hours`),
    });
  });

  test('takes a name, a description and actionsEnabled', () => {
    // GIVEN
    const stack = newStack();
    const token = new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'my-domain' });
    // WHEN
    token.alarmOnStaleToken('Stale', { alarmName: 'stale-token', alarmDescription: 'rotate it', actionsEnabled: false });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'stale-token', AlarmDescription: 'rotate it', ActionsEnabled: false,
    });
  });
});

describe('codeBuildEnvironmentVariables', () => {
  test('the token from the secret\'s authorizationToken key and the repository\'s endpoint; the project may read the secret', () => {
    // GIVEN
    const stack = newStack();
    const token = new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'my-domain', repositories: ['shared'] });
    // WHEN
    const project = new codebuild.PipelineProject(stack, 'Build', {
      environmentVariables: token.codeBuildEnvironmentVariables({ repository: 'shared', format: PackageFormat.PYPI, endpointVariable: 'PYPI_ENDPOINT' }),
    });
    token.grantRead(project);
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({
        EnvironmentVariables: [
          { Name: 'CODEARTIFACT_AUTH_TOKEN', Type: 'SECRETS_MANAGER', Value: { 'Fn::Join': ['', [secretRef, ':authorizationToken']] } },
          { Name: 'PYPI_ENDPOINT', Type: 'PLAINTEXT', Value: 'https://my-domain-111122223333.d.codeartifact.eu-west-1.amazonaws.com/pypi/shared/' },
        ],
      }),
    });
    expect(statementsFor(template, 'secretsmanager:GetSecretValue').some((s) => [s.Resource].flat().some((r: any) => /^TokenSecret/.test(r?.Ref ?? ''))))
      .toBe(true);
  });

  test('defaults: CODEARTIFACT_AUTH_TOKEN only; with a repository, its npm endpoint in CODEARTIFACT_REPOSITORY_ENDPOINT', () => {
    // GIVEN
    const stack = newStack();
    const token = new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'my-domain', repositories: ['shared'] });
    // WHEN
    const plain = token.codeBuildEnvironmentVariables();
    const withEndpoint = token.codeBuildEnvironmentVariables({ repository: 'shared', tokenVariable: 'NPM_TOKEN' });
    // THEN
    expect(Object.keys(plain)).toEqual(['CODEARTIFACT_AUTH_TOKEN']);
    expect(Object.keys(withEndpoint)).toEqual(['NPM_TOKEN', 'CODEARTIFACT_REPOSITORY_ENDPOINT']);
    expect(withEndpoint.CODEARTIFACT_REPOSITORY_ENDPOINT.value).toBe('https://my-domain-111122223333.d.codeartifact.eu-west-1.amazonaws.com/npm/shared/');
    expect(() => token.codeBuildEnvironmentVariables({ repository: 'other' })).toThrow(/repository "other" is not one this token opens/);
  });
});

describe('ecsSecret', () => {
  test('a container secret from the authorizationToken key, which the task\'s execution role may read', () => {
    // GIVEN
    const stack = newStack();
    const token = new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'my-domain' });
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
    // WHEN
    taskDefinition.addContainer('App', {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:22'),
      secrets: { CODEARTIFACT_AUTH_TOKEN: token.ecsSecret(), CODEARTIFACT_TOKEN_EXPIRATION: token.ecsSecret('expiration') },
    });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        Secrets: [
          { Name: 'CODEARTIFACT_AUTH_TOKEN', ValueFrom: { 'Fn::Join': ['', [secretRef, ':authorizationToken::']] } },
          { Name: 'CODEARTIFACT_TOKEN_EXPIRATION', ValueFrom: { 'Fn::Join': ['', [secretRef, ':expiration::']] } },
        ],
      })],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^TaskExecutionRole') }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: secretRef })]) },
    });
  });

  test('refuses a key that holds no string, naming field and quoting it', () => {
    // GIVEN
    const token = new CodeArtifactAuthorizationToken(newStack(), 'Token', { domain: 'my-domain' });
    // THEN
    expect(() => token.ecsSecret('endpoints')).toThrow(/ecsSecret: field must be a key of the secret's value that holds a string .*got "endpoints"/);
  });
});

describe('addToFunction', () => {
  test('puts the secret\'s ARN (and an endpoint) into the environment and grants the read', () => {
    // GIVEN
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    const token = new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'my-domain', repositories: ['shared'], encryptionKey: key });
    // NODEJS_LATEST: test/compat/run.sh runs this test on the oldest aws-cdk-lib we support, which has no
    // NODEJS_22_X, and on the newest, which warns about NODEJS_20_X (deprecated by Lambda).
    const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_LATEST, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}') });
    // WHEN
    token.addToFunction(fn, { repository: 'shared', endpointVariable: 'NPM_REGISTRY' });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Environment: {
        Variables: {
          CODEARTIFACT_TOKEN_SECRET_ARN: secretRef,
          NPM_REGISTRY: 'https://my-domain-111122223333.d.codeartifact.eu-west-1.amazonaws.com/npm/shared/',
        },
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^FnServiceRole') }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: secretRef })]) },
    });
    // AND decryption with the customer-managed key, through Secrets Manager only
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 'kms:Decrypt',
          Principal: { AWS: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FnServiceRole'), 'Arn'] } },
          Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
        })]),
      },
    });
  });
});

describe('grantReadToAccount', () => {
  test('adds a resource policy statement for the account and the key grant, via Secrets Manager', () => {
    // GIVEN
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    const token = new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'my-domain', encryptionKey: key });
    // WHEN
    token.grantReadToAccount('444455556666');
    // THEN
    const template = Template.fromStack(stack);
    const accountRoot = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::444455556666:root']] };
    template.hasResourceProperties('AWS::SecretsManager::ResourcePolicy', {
      SecretId: secretRef,
      ResourcePolicy: { Statement: [{ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Principal: { AWS: accountRoot }, Resource: secretRef }] },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 'kms:Decrypt',
          Principal: { AWS: accountRoot },
          Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
        })]),
      },
    });
  });

  test('refuses without encryptionKey, a malformed account id, and the stack\'s own account, naming each', () => {
    // GIVEN
    const stack = newStack();
    const token = new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'my-domain' });
    const keyed = new CodeArtifactAuthorizationToken(stack, 'Keyed', { domain: 'my-domain', encryptionKey: new kms.Key(stack, 'Key') });
    // THEN
    expect(() => token.grantReadToAccount('444455556666')).toThrow(/grantReadToAccount: needs encryptionKey: the account's aws\/secretsmanager key cannot be used from another account/);
    expect(() => keyed.grantReadToAccount('4444-5555')).toThrow(/accountId must be a 12-digit account id, got "4444-5555"/);
    expect(() => keyed.grantReadToAccount('111122223333')).toThrow(/accountId "111122223333" is this stack's own account: use grantRead/);
    Template.fromStack(stack).resourceCountIs('AWS::SecretsManager::ResourcePolicy', 0);
  });

  test('principalArns names those roles instead of the account, and organizationId requires the readers\' organization', () => {
    // GIVEN
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    const token = new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'my-domain', encryptionKey: key });
    const ci = 'arn:aws:iam::444455556666:role/ci-builds';
    // WHEN
    token.grantReadToAccount('444455556666', { principalArns: [ci], organizationId: 'o-a1b2c3d4e5' });
    // THEN no statement names the account root, and each carries the organization condition
    const template = Template.fromStack(stack);
    const inOrg = { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } };
    template.hasResourceProperties('AWS::SecretsManager::ResourcePolicy', {
      ResourcePolicy: {
        Statement: [{
          Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Principal: { AWS: ci }, Resource: secretRef, Condition: inOrg,
        }],
      },
    });
    const keyStatements = (Object.values(template.findResources('AWS::KMS::Key'))[0] as any).Properties.KeyPolicy.Statement;
    expect(keyStatements.filter((st: any) => st.Action === 'kms:Decrypt')).toEqual([expect.objectContaining({
      Principal: { AWS: ci },
      Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5', 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
    })]);
    expect(JSON.stringify(template.toJSON())).not.toMatch(/iam::444455556666:root/);
  });

  test('refuses principals of another account, an empty list and a malformed organization id, naming each', () => {
    // GIVEN
    const stack = newStack();
    const token = new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'my-domain', encryptionKey: new kms.Key(stack, 'Key') });
    // THEN
    expect(() => token.grantReadToAccount('444455556666', { principalArns: ['arn:aws:iam::777788889999:role/x'] }))
      .toThrow(/principalArns must be ARNs of IAM roles or users of account 444455556666, got "arn:aws:iam::777788889999:role\/x"/);
    expect(() => token.grantReadToAccount('444455556666', { principalArns: [] })).toThrow(/principalArns must name at least one role or user, .* got \[\]/);
    expect(() => token.grantReadToAccount('444455556666', { organizationId: 'my-org' })).toThrow(/organizationId must be an AWS Organizations id such as "o-a1b2c3d4e5", got "my-org"/);
  });
});
