import * as path from 'path';
import { ArnFormat, CfnResource, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IConstruct } from 'constructs';
import { MAX_DOMAIN_LENGTH, STACK_TAG, TAG_PRIORITY } from './contract';

/** Where the shared handler runs; every token in a stack must ask for the same placement. */
export interface HandlerPlacement {
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/** Fixed forever: changing it would replace every deployed handler. */
const HANDLER_UUID = 'a700d456-455d-4e7e-843a-544e72379ec0';
/** Bundled by esbuild at build time (see .projenrc.ts) and shipped in the npm package. */
const HANDLER_ASSET = path.join(__dirname, '..', 'assets', 'lib', 'handler', 'index');

/** What one token needs from the shared handler. */
export interface TokenScope {
  /** The token's secret, which the handler reads and writes. */
  readonly secret: secretsmanager.Secret;
  /** The CodeArtifact domain the handler issues the token for. */
  readonly domain: string;
  /** The ARN of `domain`. */
  readonly domainArn: string;
  /** The key that encrypts `secret`. */
  readonly encryptionKey?: kms.IKey;
}

/**
 * The upper bound we keep each domain policy under. IAM allows 6,144 characters in a managed
 * policy; the rest is headroom for ARNs whose parts resolve only at deploy time.
 */
const POLICY_BUDGET_CHARS = 5000;
const STATEMENTS_OVERHEAD_CHARS = 200;
// "arn:aws-us-gov:codeartifact:ap-southeast-2:123456789012:domain/" + name + quotes/comma
const DOMAIN_ARN_FIXED_CHARS = 63 + 3;

const SECRET_ACTIONS = [
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecretVersionStage',
];

interface PolicyChunk {
  readonly policy: iam.ManagedPolicy;
  readonly domains: iam.PolicyStatement;
  readonly domainArns: Set<string>;
  chars: number;
}

/**
 * The one handler of a stack, shared by every token in it: the Lambda (custom resource and
 * rotation alike), its role, its log group and the policies scoped to the stack's tokens.
 *
 * Secrets Manager access is one statement for all of the stack's tokens, limited by a tag that
 * only the stack's token secrets carry: listing each secret's ARN would outgrow IAM's policy size
 * limits (and add a policy resource every few dozen tokens). Domain ARNs, usually few, go into
 * customer-managed policies filled up to a size budget.
 */
export class TokenHandler extends Construct {
  /** The stack's handler, created by the first token that asks for it. */
  public static of(scope: IConstruct, placement: HandlerPlacement): TokenHandler {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(TokenHandler.ID) as TokenHandler | undefined;
    if (!existing) {
      return new TokenHandler(stack, TokenHandler.ID, placement);
    }
    const wanted = placementKey(placement);
    if (wanted !== existing.placementKey) {
      throw new Error(
        `CodeArtifactAuthorizationToken '${scope.node.path}': all tokens in stack '${stack.stackName}' share one handler Lambda, ` +
        `so vpc, vpcSubnets and securityGroups must be the same for each of them; got ${wanted}, but an earlier token set ${existing.placementKey}`,
      );
    }
    return existing;
  }

  private static readonly ID = 'CodeArtifactTokenHandler';

  public readonly function: lambda.SingletonFunction;
  public readonly role: iam.Role;
  /** Lets Secrets Manager invoke the rotation: a rotation schedule must wait for it. */
  public readonly invokePermission: lambda.CfnPermission;
  private readonly placementKey: string;
  private readonly chunks: PolicyChunk[] = [];
  private readonly keys = new Set<kms.IKey>();

  private constructor(scope: Construct, id: string, placement: HandlerPlacement) {
    super(scope, id);
    this.placementKey = placementKey(placement);

    const logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Issues CodeArtifact authorization tokens into the secrets of cdk-codeartifact-token',
    });
    // Instead of AWSLambdaBasicExecutionRole (logs:* on every log group): just our own log group.
    logGroup.grantWrite(this.role);
    // Every token secret of this stack carries this tag (its value is the stack's id, see addToken),
    // and only those secrets are the handler's to read and write.
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: SECRET_ACTIONS,
      resources: [Stack.of(this).formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      conditions: { StringEquals: { [`aws:ResourceTag/${STACK_TAG}`]: Stack.of(this).stackId } },
    }));
    // sts:GetServiceBearerToken has no resource-level permissions; the condition narrows it to CodeArtifact.
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['sts:GetServiceBearerToken'],
      resources: ['*'],
      conditions: { StringEquals: { 'sts:AWSServiceName': 'codeartifact.amazonaws.com' } },
    }));

    this.function = new lambda.SingletonFunction(this, 'Function', {
      uuid: HANDLER_UUID,
      lambdaPurpose: 'CodeArtifactTokenHandler',
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(HANDLER_ASSET),
      description: 'Issues CodeArtifact authorization tokens into Secrets Manager (cdk-codeartifact-token)',
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      // Generous for two API calls with retries; the handler answers CloudFormation well before it.
      timeout: Duration.minutes(2),
      role: this.role,
      logGroup,
      vpc: placement.vpc,
      vpcSubnets: placement.vpcSubnets,
      securityGroups: placement.securityGroups,
    });
    // Secrets Manager invokes the rotation; only on behalf of secrets in this account.
    this.invokePermission = new lambda.CfnPermission(this, 'InvokedBySecretsManager', {
      action: 'lambda:InvokeFunction',
      functionName: this.function.functionArn,
      principal: 'secretsmanager.amazonaws.com',
      sourceAccount: Stack.of(this).account,
    });

    // cdk-nag reads one suppression per rule id, so both wildcards share one entry.
    suppressNag(this.role.node.tryFindChild('DefaultPolicy')?.node.defaultChild, [{
      id: 'AwsSolutions-IAM5',
      reason: 'sts:GetServiceBearerToken supports no resource-level permissions; the statement is limited to CodeArtifact by the sts:AWSServiceName condition. Secrets Manager access is limited by the aws:ResourceTag condition to the secrets of this stack\'s tokens, which carry the tag; one ARN per secret would exceed IAM\'s policy size limits at scale.',
      appliesTo: ['Resource::*', { regex: '/^Resource::arn:.*:secretsmanager:.*:secret:\\*$/' }],
    }]);
    if (placement.vpc) {
      suppressNag(this.role.node.defaultChild, [{
        id: 'AwsSolutions-IAM4',
        reason: 'A Lambda in a VPC needs AWSLambdaVPCAccessExecutionRole to manage its network interfaces; those ec2 actions have no resource-level scoping.',
        appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole'],
      }]);
    }
  }

  /**
   * Gives the handler what one token needs: its secret (by tagging it as one of this stack's token
   * secrets), its domain and its key. Returns the policy that grants the domain, so the token's
   * deploy-time resource can wait for it.
   */
  public addToken(scope: TokenScope): iam.ManagedPolicy {
    (scope.secret.node.defaultChild as secretsmanager.CfnSecret).tags.setTag(STACK_TAG, Stack.of(this).stackId, TAG_PRIORITY);

    let chunk = this.chunks.find((c) => c.domainArns.has(scope.domainArn));
    if (!chunk) {
      // A domain name that resolves only at deploy time is counted at its longest.
      const cost = DOMAIN_ARN_FIXED_CHARS + (Token.isUnresolved(scope.domain) ? MAX_DOMAIN_LENGTH : scope.domain.length);
      chunk = this.chunks[this.chunks.length - 1];
      if (!chunk || chunk.chars + cost > POLICY_BUDGET_CHARS) {
        chunk = this.newChunk();
      }
      chunk.chars += cost;
      chunk.domainArns.add(scope.domainArn);
      chunk.domains.addResources(scope.domainArn);
    }

    if (scope.encryptionKey && !this.keys.has(scope.encryptionKey)) {
      this.keys.add(scope.encryptionKey);
      // Only through Secrets Manager: the handler never calls KMS directly. In the role's policy
      // rather than the key's, so that imported keys work too (their key policy must trust the account).
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [scope.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` } },
      }));
    }
    return chunk.policy;
  }

  private newChunk(): PolicyChunk {
    const domains = new iam.PolicyStatement({ actions: ['codeartifact:GetAuthorizationToken'], resources: [] });
    const policy = new iam.ManagedPolicy(this, `TokenPolicy${this.chunks.length + 1}`, {
      description: 'Lets the cdk-codeartifact-token handler issue tokens for these CodeArtifact domains',
      statements: [domains],
      roles: [this.role],
    });
    const chunk: PolicyChunk = { policy, domains, domainArns: new Set(), chars: STATEMENTS_OVERHEAD_CHARS };
    this.chunks.push(chunk);
    return chunk;
  }
}

function placementKey(p: HandlerPlacement): string {
  if (!p.vpc) {
    return 'no vpc'; // vpcSubnets and securityGroups without vpc were refused by validateSettings
  }
  const subnets = p.vpc.selectSubnets(p.vpcSubnets).subnetIds.join(',');
  const groups = (p.securityGroups ?? []).map((g) => g.node.path).join(',') || 'a generated security group';
  return `vpc ${p.vpc.node.path} (subnets ${subnets}; security groups ${groups})`;
}

interface NagSuppression {
  readonly id: string;
  readonly reason: string;
  readonly appliesTo?: Array<string | { regex: string }>;
}

/**
 * Records cdk-nag suppressions as resource metadata, the format cdk-nag reads, so that users who
 * run cdk-nag see our reasons without this library depending on cdk-nag.
 */
export function suppressNag(resource: IConstruct | undefined, rules: NagSuppression[]): void {
  if (!(resource instanceof CfnResource)) {
    return;
  }
  const existing = (resource.getMetadata('cdk_nag')?.rules_to_suppress ?? []) as unknown[];
  resource.addMetadata('cdk_nag', {
    rules_to_suppress: [
      ...existing,
      ...rules.map((r) => ({ id: r.id, reason: r.reason, ...(r.appliesTo ? { applies_to: r.appliesTo } : {}) })),
    ],
  });
}
