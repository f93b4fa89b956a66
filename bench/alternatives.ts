/**
 * The three ways to get a CodeArtifact token into Secrets Manager that the benchmark compares,
 * each as a user would write it, and ours once more with named repositories and publishing tokens
 * (the issuer role's managed policies grow with the distinct repositories they list).
 */
import * as path from 'path';
import { CustomResource, Duration, RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsCustomResource, AwsCustomResourcePolicy, AwsSdkCall, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { CodeArtifactAuthorizationToken, RepositoryAccess } from '../lib';
import { ALL_REPOSITORIES_TAG_VALUE, CONFIG_NAMES, SECRET_ID_PROPERTY } from '../lib/contract';

export type Variant = 'ours' | 'ours-repositories' | 'ours-short' | 'ours-replicas' | 'diy' | 'per-token';
export const VARIANTS: Variant[] = ['ours', 'ours-repositories', 'ours-short', 'ours-replicas', 'diy', 'per-token'];
export const VARIANT_NAMES: Record<Variant, string> = {
  'ours': 'cdk-codeartifact-token',
  'ours-repositories': 'cdk-codeartifact-token, 2 repositories, half publishing',
  'ours-short': 'cdk-codeartifact-token, 15-minute tokens (EventBridge Scheduler)',
  'ours-replicas': 'cdk-codeartifact-token, 2 replica regions',
  'diy': 'DIY AwsCustomResource',
  'per-token': 'one Lambda per token',
};

const domainOf = (i: number) => `domain-${i % 10}`;
/** Two repositories per token: its domain's `shared` one (listed once per domain) and one of its own. */
const repositoriesOf = (i: number) => ['shared', `team-${i}`];

/** Adds `n` tokens to the stack the way the variant does it. */
export function addTokens(stack: Stack, variant: Variant, n: number): void {
  for (let i = 0; i < n; i++) {
    if (variant === 'ours') {
      new CodeArtifactAuthorizationToken(stack, `Token${i}`, { domain: domainOf(i) });
    } else if (variant === 'ours-repositories') {
      new CodeArtifactAuthorizationToken(stack, `Token${i}`, {
        domain: domainOf(i),
        repositories: repositoriesOf(i),
        access: i % 2 === 1 ? RepositoryAccess.READ_AND_PUBLISH : RepositoryAccess.READ,
      });
    } else if (variant === 'ours-short') {
      // The Scheduler path: its schedule replaces the rotation schedule; one role per stack.
      new CodeArtifactAuthorizationToken(stack, `Token${i}`, { domain: domainOf(i), tokenDuration: Duration.minutes(15) });
    } else if (variant === 'ours-replicas') {
      // Replicas are properties of the secret resource, not resources of their own.
      new CodeArtifactAuthorizationToken(stack, `Token${i}`, { domain: domainOf(i), replicaRegions: [{ region: 'us-east-1' }, { region: 'eu-central-1' }] });
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

/**
 * Our design, but each token with its own function, role, log group and permission. The properties
 * are the ones our handler reads (every repository, read only, as ours by default). To be truly
 * equivalent it would also need an issuer role per token (or one shared, which is our design) and
 * ISSUER_ROLE_ARN in the function's environment: 2 more resources per token than counted here. It is
 * only synthesized, never run, and its resource count is what the bench compares.
 */
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
    properties: {
      [SECRET_ID_PROPERTY]: secret.secretArn,
      [CONFIG_NAMES.domain.property]: domainOf(i),
      [CONFIG_NAMES.domainOwner.property]: stack.account,
      [CONFIG_NAMES.domainRegion.property]: stack.region,
      [CONFIG_NAMES.durationSeconds.property]: '43200',
      [CONFIG_NAMES.repositories.property]: ALL_REPOSITORIES_TAG_VALUE,
      [CONFIG_NAMES.access.property]: RepositoryAccess.READ,
    },
  });
  const schedule = new secretsmanager.CfnRotationSchedule(stack, `Rotation${i}`, {
    secretId: secret.secretArn,
    rotationLambdaArn: fn.functionArn,
    rotationRules: { scheduleExpression: 'rate(5 hours)', duration: '1h' },
    rotateImmediatelyOnUpdate: false,
  });
  schedule.node.addDependency(issue, permission);
}
