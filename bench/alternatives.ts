/**
 * The three ways to get a CodeArtifact token into Secrets Manager that the benchmark compares,
 * each as a user would write it.
 */
import * as path from 'path';
import { CustomResource, Duration, RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsCustomResource, AwsCustomResourcePolicy, AwsSdkCall, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { CodeArtifactAuthorizationToken } from '../lib';

export type Variant = 'ours' | 'diy' | 'per-token';
export const VARIANTS: Variant[] = ['ours', 'diy', 'per-token'];
export const VARIANT_NAMES: Record<Variant, string> = {
  'ours': 'cdk-codeartifact-token',
  'diy': 'DIY AwsCustomResource',
  'per-token': 'one Lambda per token',
};

const domainOf = (i: number) => `domain-${i % 10}`;

/** Adds `n` tokens to the stack the way the variant does it. */
export function addTokens(stack: Stack, variant: Variant, n: number): void {
  for (let i = 0; i < n; i++) {
    if (variant === 'ours') {
      new CodeArtifactAuthorizationToken(stack, `Token${i}`, { domain: domainOf(i) });
    } else if (variant === 'diy') {
      addDiyToken(stack, i);
    } else {
      addPerTokenLambda(stack, i);
    }
  }
}

/**
 * What users write today without this library: an AwsCustomResource calling GetAuthorizationToken
 * at deploy time, its response copied into a secret. No rotation; the token also passes through
 * CloudFormation as a resource attribute.
 */
function addDiyToken(stack: Stack, i: number): void {
  const domainArn = stack.formatArn({ service: 'codeartifact', resource: 'domain', resourceName: domainOf(i) });
  const call: AwsSdkCall = {
    service: 'codeartifact',
    action: 'GetAuthorizationToken',
    parameters: { domain: domainOf(i), domainOwner: stack.account, durationSeconds: 43200 },
    physicalResourceId: PhysicalResourceId.of(`token-${i}`),
  };
  const cr = new AwsCustomResource(stack, `Token${i}`, {
    onCreate: call,
    onUpdate: call,
    installLatestAwsSdk: false,
    policy: AwsCustomResourcePolicy.fromStatements([
      new iam.PolicyStatement({ actions: ['codeartifact:GetAuthorizationToken'], resources: [domainArn] }),
      new iam.PolicyStatement({
        actions: ['sts:GetServiceBearerToken'],
        resources: ['*'],
        conditions: { StringEquals: { 'sts:AWSServiceName': 'codeartifact.amazonaws.com' } },
      }),
    ]),
  });
  new secretsmanager.Secret(stack, `Secret${i}`, {
    secretStringValue: SecretValue.resourceAttribute(cr.getResponseField('authorizationToken')),
    removalPolicy: RemovalPolicy.DESTROY,
  });
}

/** Our design, but each token with its own function, role, log group and permission. */
function addPerTokenLambda(stack: Stack, i: number): void {
  const secret = new secretsmanager.Secret(stack, `Secret${i}`, { removalPolicy: RemovalPolicy.DESTROY });
  const role = new iam.Role(stack, `Role${i}`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const logGroup = new logs.LogGroup(stack, `Logs${i}`, { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
  logGroup.grantWrite(role);
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['codeartifact:GetAuthorizationToken'],
    resources: [stack.formatArn({ service: 'codeartifact', resource: 'domain', resourceName: domainOf(i) })],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['sts:GetServiceBearerToken'],
    resources: ['*'],
    conditions: { StringEquals: { 'sts:AWSServiceName': 'codeartifact.amazonaws.com' } },
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
    resources: [secret.secretArn],
  }));
  const fn = new lambda.Function(stack, `Handler${i}`, {
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 256,
    timeout: Duration.minutes(2),
    handler: 'index.handler',
    code: lambda.Code.fromAsset(path.join(__dirname, '..', 'assets', 'lib', 'handler', 'index')),
    role,
    logGroup,
  });
  const permission = new lambda.CfnPermission(stack, `Invoke${i}`, {
    action: 'lambda:InvokeFunction',
    functionName: fn.functionArn,
    principal: 'secretsmanager.amazonaws.com',
    sourceAccount: stack.account,
  });
  const issue = new CustomResource(stack, `Issue${i}`, {
    serviceToken: fn.functionArn,
    resourceType: 'Custom::CodeArtifactAuthorizationToken',
    properties: { SecretId: secret.secretArn, Domain: domainOf(i), DomainOwner: stack.account, DomainRegion: stack.region, DurationSeconds: '43200' },
  });
  const schedule = new secretsmanager.CfnRotationSchedule(stack, `Rotation${i}`, {
    secretId: secret.secretArn,
    rotationLambdaArn: fn.functionArn,
    rotationRules: { scheduleExpression: 'rate(5 hours)', duration: '1h' },
    rotateImmediatelyOnUpdate: false,
  });
  schedule.node.addDependency(issue, permission);
}
