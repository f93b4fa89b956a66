import * as path from 'path';
import { ArnFormat, CfnResource, Duration, Fn, Lazy, PhysicalName, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IConstruct } from 'constructs';
import {
  ALL_REPOSITORIES_TAG_VALUE, CLOUDFORMATION_LOGICAL_ID_TAG, CLOUDFORMATION_STACK_ID_TAG, ISSUER_ROLE_ARN_ENV, MAX_DOMAIN_LENGTH,
  MAX_REPOSITORY_LENGTH, SESSION_TAG_REPOSITORIES, SESSION_TAG_TOKEN, sessionTagParts, STACK_ID_ENV, STACK_TAG, TAG_PRIORITY, TOKEN_ID_CHARS,
  TokenConfig, tokenIdOf,
} from './contract';
import { BudgetPolicy, MAX_MANAGED_POLICIES_PER_ROLE, POLICY_BUDGET_CHARS, PolicyBudget } from './policy-budget';
import { RepositoryAccess } from './repository-access';
import { BEARER_TOKEN_CONDITION, GET_AUTHORIZATION_TOKEN, GET_SERVICE_BEARER_TOKEN, PUBLISH_ACTIONS, READ_ACTIONS } from './session-policy';

/** How the shared handler runs; every token in a stack must ask for the same. */
export interface HandlerPlacement {
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
  readonly logGroupEncryptionKey?: kms.IKey;
  readonly logRemovalPolicy?: RemovalPolicy;
  readonly reservedConcurrency?: number;
}

/** Fixed forever: changing it would replace every deployed handler. */
const HANDLER_UUID = 'a700d456-455d-4e7e-843a-544e72379ec0';
/** Bundled by esbuild at build time (see .projenrc.ts) and shipped in the npm package. */
const HANDLER_ASSET = path.join(__dirname, '..', 'assets', 'lib', 'handler', 'index');

/**
 * Lambda's Node.js 24 runtime, named rather than taken from `Runtime.NODEJS_24_X`, which aws-cdk-lib
 * defines from 2.224.0 on: the library supports older aws-cdk-lib releases (the peer
 * range in package.json). The props are the ones aws-cdk-lib gives its own Node.js runtimes.
 */
const NODEJS_24 = new lambda.Runtime('nodejs24.x', lambda.RuntimeFamily.NODEJS, { supportsInlineCode: true });

/** What one token needs from the shared handler. */
export interface TokenScope {
  /** The token's secret, which the handler reads and writes. */
  readonly secret: secretsmanager.Secret;
  /** The CodeArtifact domain the handler issues the token for, its owner and region. */
  readonly domain: string;
  readonly domainOwner: string;
  readonly domainRegion: string;
  /** The repositories the token opens; undefined for every repository in the domain. */
  readonly repositories?: string[];
  readonly access: RepositoryAccess;
  /** The key that encrypts `secret`. */
  readonly encryptionKey?: kms.IKey;
  /** The secret's replicas, whose keys the handler's writes re-encrypt with. */
  readonly replicaRegions?: secretsmanager.ReplicaRegion[];
  /** The token's configuration as the secret's tags and the custom resource's properties carry it. */
  readonly config: { readonly [K in keyof TokenConfig]: string };
}

/** "arn:aws-us-gov:codeartifact:" (the longest partition: it resolves at deploy time), and the quotes and comma around an ARN. */
const CODEARTIFACT_ARN_PARTITION_CHARS = 'arn:aws-us-gov:codeartifact:'.length + 3;
/** The longest region name, counted for a region that resolves at deploy time. */
const MAX_REGION_CHARS = 'ap-southeast-5x'.length;
/** A key ARN, "arn:aws-us-gov:kms:ap-southeast-2:123456789012:key/" and a 36-character key id, quoted. */
const KEY_ARN_CHARS = 51 + 36 + 3;

/** The issuer's rights, grouped the way its policies list them; `bind` ties each token to its template configuration. */
type RightGroup = 'domains' | 'read' | 'publish' | 'bind';
/** The handler's own rights that grow with the tokens. */
type HandlerGroup = 'secrets' | 'keys' | 'replicaKeys';
/** The session tag keys the issuer's trust policy lets the handler set, and its bind statements read. */
const SESSION_TAG_KEYS = [SESSION_TAG_TOKEN, SESSION_TAG_REPOSITORIES];
/** The longest value of each part of the token session tag (contract.ts, sessionTagParts), for parts that resolve at deploy time. */
const TOKEN_TAG_PART_MAX_CHARS = [TOKEN_ID_CHARS, '43200'.length, 'read-and-publish'.length, 12, MAX_REGION_CHARS, MAX_DOMAIN_LENGTH];

const SECRET_ACTIONS = [
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecretVersionStage',
];

/**
 * The one handler of a stack, shared by every token in it: the Lambda (custom resource and
 * rotation alike), its role, its log group and the policies scoped to the stack's tokens.
 *
 * Two roles. The handler's own role reads and writes the stack's token secrets and may assume the
 * issuer role, nothing else: it holds no CodeArtifact right. The issuer role holds the union of all
 * tokens' CodeArtifact rights; the handler assumes it for each token with a session policy that
 * narrows it to that token's domain, repositories and actions, and every token carries that
 * session (lib/session-policy.ts).
 *
 * Secrets Manager access is one statement for all of the stack's tokens, limited by a tag that
 * only the stack's token secrets carry: listing each secret's ARN would outgrow IAM's policy size
 * limits (and add a policy resource every few dozen tokens). Domain, repository and package ARNs go
 * into customer-managed policies of the issuer role, filled up to a size budget.
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
        'so vpc, vpcSubnets, securityGroups, logGroupEncryptionKey, logRemovalPolicy and handlerReservedConcurrency must be the same '
        + `for each of them; got ${wanted}, but an earlier token set ${existing.placementKey}`,
      );
    }
    return existing;
  }

  private static readonly ID = 'CodeArtifactTokenHandler';

  public readonly function: lambda.SingletonFunction;
  public readonly role: iam.Role;
  /** The identity every token of the stack carries, narrowed per token by its session policy. */
  public readonly issuerRole: iam.Role;
  /** Lets Secrets Manager invoke the rotation: a rotation schedule must wait for it. */
  public readonly invokePermission: lambda.CfnPermission;
  /** Lets the handler function (and no other code with its role) assume the issuer role with session tags. */
  public readonly issuerAccess: iam.Policy;
  private readonly placementKey: string;
  /** The issuer's domains, repositories and packages, and which configuration each token may be issued with. */
  private readonly issuerPolicies: PolicyBudget<RightGroup>;
  /**
   * The handler's token secrets and their customer-managed keys, in managed policies: a logical id or a
   * statement per key for each token would overflow its inline policy.
   */
  private readonly handlerPolicies: PolicyBudget<HandlerGroup>;
  /** The schedule group of the Scheduler schedules, whose ARN the Scheduler role's trust names. */
  private _scheduleGroup?: scheduler.CfnScheduleGroup;
  /** Assumed by EventBridge Scheduler for the tokens rotated faster than Secrets Manager's schedule allows; created by the first of them. */
  private _schedulerRole?: iam.Role;

  private constructor(scope: Construct, id: string, placement: HandlerPlacement) {
    super(scope, id);
    this.placementKey = placementKey(placement);

    const logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: placement.logRemovalPolicy ?? RemovalPolicy.DESTROY,
      encryptionKey: placement.logGroupEncryptionKey,
    });
    // CloudWatch Logs encrypts with the key as its regional service principal (CloudWatch Logs user
    // guide, "Encrypt log data in CloudWatch Logs using AWS KMS"). An imported key's policy cannot be
    // changed here: it must allow that principal already.
    placement.logGroupEncryptionKey?.grantEncryptDecrypt(new iam.ServicePrincipal(`logs.${Stack.of(this).region}.amazonaws.com`));

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Issues CodeArtifact authorization tokens into the secrets of cdk-codeartifact-token',
    });
    // Instead of AWSLambdaBasicExecutionRole (logs:* on every log group): just our own log group.
    logGroup.grantWrite(this.role);
    // A generated physical name, so that another account's stack can name the issuer in its domain
    // and repository policies (token.domainPolicyStatement()) without a cross-stack reference.
    //
    // The trust names the account, not the handler role: a trust policy naming a role ARN is enough on
    // its own within an account ("When a resource-based policy grants access to a principal in the same
    // account, no additional identity-based policy is required", STS API reference, AssumeRole), which
    // would make the lambda:SourceFunctionArn condition of the handler role's own statement (below)
    // meaningless. Trusting the account with aws:PrincipalArn = the handler role requires both.
    const handlerOnly = { ArnEquals: { 'aws:PrincipalArn': this.role.roleArn } };
    this.issuerRole = new iam.Role(this, 'IssuerRole', {
      roleName: PhysicalName.GENERATE_IF_NEEDED,
      assumedBy: new iam.AccountRootPrincipal().withConditions(handlerOnly),
      description: 'The identity of the CodeArtifact tokens of cdk-codeartifact-token: assumed per token with a session policy that narrows it to that token',
    });
    // The handler names the token it asks for in two session tags ("Passing session tags in AWS STS":
    // sts:TagSession must be allowed, and aws:TagKeys limits which keys may be passed).
    this.issuerRole.assumeRolePolicy!.addStatements(new iam.PolicyStatement({
      actions: ['sts:TagSession'],
      principals: [new iam.AccountRootPrincipal()],
      conditions: { ...handlerOnly, 'ForAllValues:StringEquals': { 'aws:TagKeys': SESSION_TAG_KEYS } },
    }));

    this.function = new lambda.SingletonFunction(this, 'Function', {
      uuid: HANDLER_UUID,
      lambdaPurpose: 'CodeArtifactTokenHandler',
      runtime: NODEJS_24,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(HANDLER_ASSET),
      description: 'Issues CodeArtifact authorization tokens into Secrets Manager (cdk-codeartifact-token)',
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      // Generous for three API calls with retries; the handler answers CloudFormation well before it.
      timeout: Duration.minutes(2),
      role: this.role,
      environment: { [ISSUER_ROLE_ARN_ENV]: this.issuerRole.roleArn, [STACK_ID_ENV]: Stack.of(this).stackId },
      logGroup,
      reservedConcurrentExecutions: placement.reservedConcurrency,
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

    // Only code running in the handler function may become the issuer: lambda:SourceFunctionArn is in the
    // context of every AWS request made from within the function's execution environment, and only
    // there (Lambda developer guide, "Using source function ARN to control function access behavior").
    // Another function given the handler role (iam:PassRole + lambda:CreateFunction) is refused. Not in
    // the role's default policy, which the function depends on: this statement references the function.
    this.issuerAccess = new iam.Policy(this, 'IssuerAccess', {
      roles: [this.role],
      statements: [new iam.PolicyStatement({
        actions: ['sts:AssumeRole', 'sts:TagSession'],
        resources: [this.issuerRole.roleArn],
        conditions: { ArnEquals: { 'lambda:SourceFunctionArn': this.function.functionArn } },
      })],
    });
    const stackName = Stack.of(this).stackName;
    this.issuerPolicies = new PolicyBudget<RightGroup>(this, 'TokenPolicy', this.issuerRole, {
      domains: { actions: [GET_AUTHORIZATION_TOKEN] },
      read: { actions: READ_ACTIONS },
      publish: { actions: PUBLISH_ACTIONS },
      // GetAuthorizationToken issues nothing without sts:GetServiceBearerToken, so this is where a
      // token's configuration is checked against the template: only a session whose two session tags
      // are one token's own values (its id and its configuration, as synthesized) gets a bearer token.
      // The tags of a secret drive the session policy at rotation, but a session for any configuration
      // the template did not give that secret is refused here. The token keeps the session's tags and
      // session policy ("Service bearer tokens", IAM User Guide).
      bind: {
        actions: [GET_SERVICE_BEARER_TOKEN],
        resources: ['*'],
        conditions: BEARER_TOKEN_CONDITION,
        listedKeys: SESSION_TAG_KEYS.map((key) => `aws:PrincipalTag/${key}`),
      },
    }, {
      description: 'The CodeArtifact rights of the cdk-codeartifact-token issuer: domains, repositories and packages of this stack\'s tokens, and the configuration each token is issued with',
      // The issuer role has no other inline policy: its inline room (10,240 characters) comes first.
      inline: true,
      // Wildcards a token needs: every repository of a domain (no repositories prop), and the packages
      // of a publishing token's repositories (package names are not known in advance).
      configure: (policy) => suppressNag(policy.node.defaultChild, [...(policy instanceof iam.Policy ? inPacks('IAMNoInlinePolicy').map((rule) => ({
        id: rule,
        reason: 'The issuer role\'s only inline policy, filled first with the same statements as its managed policies (up to 9,000 of the 10,240 characters IAM allows a role\'s inline policies): it saves a managed policy resource for stacks with few tokens.',
      })) : []), {
        id: 'AwsSolutions-IAM5',
        reason: 'Repository wildcards (repository/DOMAIN/*) stand for tokens that read every repository of their domain, as their props ask; package wildcards (package/DOMAIN/REPOSITORY/*) let a publishing token publish any package into its named repositories, whose names are not known in advance. Each token is narrowed further by its own session policy.',
        appliesTo: [{ regex: '/^Resource::arn:.*:codeartifact:.*:(repository|package)\\/.*\\*$/' }],
      }, {
        id: 'AwsSolutions-IAM5',
        reason: 'sts:GetServiceBearerToken supports no resource-level permissions; the statement is limited to CodeArtifact by sts:AWSServiceName, and to sessions tagged with one token\'s own id and template configuration by aws:PrincipalTag conditions.',
        appliesTo: ['Resource::*'],
      }]),
    }, () => `CodeArtifactAuthorizationToken: the tokens of stack '${stackName}' name more domains, repositories and packages `
      + `than ${MAX_MANAGED_POLICIES_PER_ROLE} managed policies of ${POLICY_BUDGET_CHARS} characters can hold (IAM attaches at most `
      + `${MAX_MANAGED_POLICIES_PER_ROLE} managed policies to a role by default): leave repositories out for tokens that may read every `
      + 'repository of their domain, or spread the tokens over more stacks');
    const stackId = Stack.of(this).stackId;
    this.handlerPolicies = new PolicyBudget<HandlerGroup>(this, 'HandlerPolicy', this.role, {
      // Only this stack's token secrets are the handler's to read and write, named by two tags that
      // CloudFormation sets on every resource it creates and no user can set or change
      // (aws:cloudformation:stack-id and aws:cloudformation:logical-id; CloudFormation user guide,
      // "Resource tagging"): the stack, and the secret's logical id among the token secrets'. Our own
      // stack tag is checked again by the handler before each write.
      secrets: {
        actions: SECRET_ACTIONS,
        resources: [Stack.of(this).formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
        conditions: { StringEquals: { [`aws:ResourceTag/${CLOUDFORMATION_STACK_ID_TAG}`]: stackId } },
        listedKeys: [`aws:ResourceTag/${CLOUDFORMATION_LOGICAL_ID_TAG}`],
      },
      // Only through Secrets Manager: the handler never calls KMS directly. In the role's policies
      // rather than the keys', so that imported keys work too (their key policy must trust the account).
      keys: {
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` } },
      },
      // A write to a replicated secret is re-encrypted with each replica's key in its own region, as
      // the writer: "To encrypt the replicated secret with a KMS key other than aws/secretsmanager,
      // you need kms:GenerateDataKey and kms:Encrypt to the key" (Secrets Manager user guide,
      // "Troubleshoot replication"; "How Secrets Manager authorizes cross-account replication":
      // replication "decrypts the value with the primary secret's KMS key and re-encrypts it with the
      // replica secret's KMS key", as the caller through a forward access session). Still only
      // through Secrets Manager, in whichever region it calls KMS from.
      replicaKeys: {
        actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
        conditions: { StringLike: { 'kms:ViaService': 'secretsmanager.*' } },
      },
    }, {
      description: 'Lets the cdk-codeartifact-token handler read and write this stack\'s token secrets and use their keys, through Secrets Manager only',
      configure: (policy) => suppressNag(policy.node.defaultChild, [{
        id: 'AwsSolutions-IAM5',
        reason: 'Secrets Manager access is limited by aws:ResourceTag conditions to the token secrets of this stack: CloudFormation\'s own aws:cloudformation:stack-id and aws:cloudformation:logical-id tags (which no user can set), the latter among the token secrets\' logical ids; secret ARNs carry a random suffix and would not fit IAM\'s policy size limits at scale.',
        appliesTo: [{ regex: '/^Resource::arn:.*:secretsmanager:.*:secret:\\*$/' }],
      }]),
    }, () => `CodeArtifactAuthorizationToken: the tokens of stack '${stackName}' use more token secrets and distinct encryption keys than `
      + `${MAX_MANAGED_POLICIES_PER_ROLE} managed policies can list: share keys between tokens, or spread the tokens over more stacks`);

    if (placement.vpc) {
      suppressNag(this.role.node.defaultChild, [{
        id: 'AwsSolutions-IAM4',
        reason: 'A Lambda in a VPC needs AWSLambdaVPCAccessExecutionRole to manage its network interfaces; those ec2 actions have no resource-level scoping.',
        appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole'],
      }]);
    }
    suppressCompliance(this, this.function, logGroup, placement);
  }

  /**
   * Gives the handler what one token needs: its secret (by tagging it as one of this stack's token
   * secrets) and its key, and the issuer role the token's domain, repositories and packages. Returns
   * the policies that grant them, so the token's deploy-time resource can wait for them.
   */
  public addToken(scope: TokenScope): BudgetPolicy[] {
    const cfnSecret = scope.secret.node.defaultChild as secretsmanager.CfnSecret;
    cfnSecret.tags.setTag(STACK_TAG, Stack.of(this).stackId, TAG_PRIORITY);
    const policies = new Set<BudgetPolicy>();

    // What each grant adds to a policy, counting a value that resolves only at deploy time at its longest.
    const chars = (value: string, max: number) => (Token.isUnresolved(value) ? max : value.length);

    // The secret by its logical id (resolved when the template is written: an overridden id counts).
    const stack = Stack.of(this);
    const logicalId = stack.resolve(cfnSecret.logicalId) as string;
    policies.add(this.handlerPolicies.grant('secrets', { values: [cfnSecret.logicalId] }, logicalId.length + 3));

    // The token's two session tag values, as the handler will compute them from this configuration.
    const id = Lazy.string({ produce: () => tokenIdOf(stack.resolve(cfnSecret.logicalId)) });
    const parts = sessionTagParts(id, scope.config);
    const repositories = scope.repositories?.map((r) => chars(r, MAX_REPOSITORY_LENGTH)) ?? [ALL_REPOSITORIES_TAG_VALUE.length];
    const tagChars = TOKEN_TAG_PART_MAX_CHARS.reduce((n, max, i) => n + chars(parts.token[i], max) + 1, 0) + 2
      + TOKEN_ID_CHARS + repositories.reduce((n, c) => n + c + 1, 0) + 2 + 2 * 1;
    policies.add(this.issuerPolicies.grant('bind', { values: [Fn.join(' ', parts.token), Fn.join(' ', parts.repositories)] }, tagChars));

    const domainChars = chars(scope.domain, MAX_DOMAIN_LENGTH);
    const arnPrefixChars = CODEARTIFACT_ARN_PARTITION_CHARS + chars(scope.domainRegion, MAX_REGION_CHARS) + 1 + 12 + 1;
    const grant = (group: RightGroup, resource: string, resourceChars: number) => policies.add(
      this.issuerPolicies.grant(group, { resource: codeArtifactArn(this, scope, resource) }, arnPrefixChars + resourceChars));
    grant('domains', `domain/${scope.domain}`, 'domain/'.length + domainChars);
    for (const repo of scope.repositories ?? ['*']) {
      const repoChars = domainChars + 1 + chars(repo, MAX_REPOSITORY_LENGTH);
      grant('read', `repository/${scope.domain}/${repo}`, 'repository/'.length + repoChars);
      if (scope.access === RepositoryAccess.READ_AND_PUBLISH) {
        grant('publish', `package/${scope.domain}/${repo}/*`, 'package/'.length + repoChars + 2);
      }
    }
    if (scope.encryptionKey) {
      const keyArn = scope.encryptionKey.keyArn;
      policies.add(this.handlerPolicies.grant('keys', { resource: keyArn }, Token.isUnresolved(keyArn) ? KEY_ARN_CHARS : keyArn.length + 3));
    }
    for (const replica of scope.replicaRegions ?? []) {
      if (replica.encryptionKey) {
        const keyArn = replica.encryptionKey.keyArn;
        policies.add(this.handlerPolicies.grant('replicaKeys', { resource: keyArn }, Token.isUnresolved(keyArn) ? KEY_ARN_CHARS : keyArn.length + 3));
      }
    }
    return [...policies];
  }

  /**
   * The role EventBridge Scheduler assumes to start the rotations of the stack's short-lived tokens:
   * one per stack, created by the first of them, whose statements do not grow with the tokens.
   *
   * RotateSecret is allowed on the stack's token secrets only, by the same tags as the handler's
   * own access. "If the secret has a rotation function, you also need lambda:InvokeFunction" (RotateSecret
   * API reference, Required permissions): on the stack's handler only. The trust is limited to the
   * schedules of this stack's own schedule group: "The value of aws:SourceArn must be your EventBridge
   * Scheduler schedule group ARN" (EventBridge Scheduler user guide, "Confused deputy prevention"), so
   * no other schedule of the account can make Scheduler rotate with this role.
   */
  public schedulerRole(): { role: iam.Role; group: scheduler.CfnScheduleGroup } {
    if (this._schedulerRole && this._scheduleGroup) {
      return { role: this._schedulerRole, group: this._scheduleGroup };
    }
    const stack = Stack.of(this);
    // A generated name: one group per stack, whose ARN the trust policy names.
    const group = new scheduler.CfnScheduleGroup(this, 'ScheduleGroup', {});
    const role = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnEquals: { 'aws:SourceArn': group.attrArn },
      }),
      description: 'Lets EventBridge Scheduler start the rotations of the short-lived tokens of cdk-codeartifact-token',
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['secretsmanager:RotateSecret'],
      resources: [stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      conditions: {
        StringEquals: {
          [`aws:ResourceTag/${CLOUDFORMATION_STACK_ID_TAG}`]: stack.stackId,
          [`aws:ResourceTag/${STACK_TAG}`]: stack.stackId,
        },
      },
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['lambda:InvokeFunction'],
      resources: [this.function.functionArn],
    }));
    const policy = role.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    suppressNag(policy, [{
      id: 'AwsSolutions-IAM5',
      reason: 'RotateSecret is limited by aws:ResourceTag conditions to the token secrets of this stack (CloudFormation\'s own aws:cloudformation:stack-id tag, which no user can set, and the library\'s token tag), as the handler\'s own access is; one ARN per secret would grow the policy with every token.',
      appliesTo: [{ regex: '/^Resource::arn:.*:secretsmanager:.*:secret:\\*$/' }],
    }, ...inPacks('IAMNoInlinePolicy').map((id) => ({
      id,
      reason: 'The inline policy holds two statements of constant size (tag-scoped RotateSecret, and invoking the stack\'s one handler), whatever the number of tokens.',
    }))]);
    this._schedulerRole = role;
    this._scheduleGroup = group;
    return { role, group };
  }
}

/** An ARN of the token's domain owner and region, e.g. `repository/DOMAIN/REPO`. */
export function codeArtifactArn(scope: IConstruct, where: { domainOwner: string; domainRegion: string }, resource: string): string {
  return Stack.of(scope).formatArn({
    service: 'codeartifact',
    account: where.domainOwner,
    region: where.domainRegion,
    resource,
    arnFormat: ArnFormat.NO_RESOURCE_NAME,
  });
}

function placementKey(p: HandlerPlacement): string {
  const rest = `log group key ${p.logGroupEncryptionKey?.node.path ?? 'none'}, log removal policy ${p.logRemovalPolicy ?? RemovalPolicy.DESTROY}, `
    + `reserved concurrency ${p.reservedConcurrency ?? 'none'}`;
  if (!p.vpc) {
    return `no vpc, ${rest}`; // vpcSubnets and securityGroups without vpc were refused by validateSettings
  }
  const subnets = p.vpc.selectSubnets(p.vpcSubnets).subnetIds.join(',');
  const groups = (p.securityGroups ?? []).map((g) => g.node.path).join(',') || 'a generated security group';
  return `vpc ${p.vpc.node.path} (subnets ${subnets}; security groups ${groups}), ${rest}`;
}

/** The rules of cdk-nag's compliance packs that name the same finding, by the pack's prefix. */
const PACKS = ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];
const inPacks = (rule: string, packs = PACKS) => packs.map((p) => `${p}-${rule}`);

/**
 * Reasons for the compliance packs' findings that are choices, not gaps: each either names the prop
 * that changes it, or says why the control does not apply to this function.
 */
function suppressCompliance(handler: TokenHandler, fn: lambda.SingletonFunction, logGroup: logs.LogGroup, placement: HandlerPlacement): void {
  const rules: NagSuppression[] = [
    ...[...inPacks('LambdaDLQ', ['NIST.800.53.R5', 'HIPAA.Security']), 'Serverless-LambdaDLQ'].map((id) => ({
      id,
      reason: 'Nothing reaches a dead-letter queue: Secrets Manager invokes the rotation synchronously and sees its failures (and retries), and CloudFormation gets every custom-resource answer through the ResponseURL; the failures are logged and published as Secrets Manager rotation events.',
    })),
    {
      id: 'Serverless-LambdaTracing',
      reason: 'The handler makes four AWS calls per invocation and logs each outcome as JSON; X-Ray tracing would add cost and permissions without information the logs lack. Enable it through the function\'s escape hatch if you want it.',
    },
    ...[...inPacks('IAMNoInlinePolicy')].map((id) => ({
      id,
      reason: 'The inline (default) policies hold the statements aws-cdk-lib grants add (log group, assuming the issuer role) and the tag-scoped Secrets Manager and bearer-token statements, each constant in size; everything that grows with the tokens is in customer-managed policies.',
    })),
  ];
  if (placement.reservedConcurrency === undefined) {
    rules.push(...inPacks('LambdaConcurrency', ['NIST.800.53.R5', 'HIPAA.Security']).map((id) => ({
      id,
      reason: 'Reserved concurrency is off by default: it takes from the account\'s unreserved pool, and a burst of token deploys is better served by the SDK\'s retries. Set handlerReservedConcurrency to reserve some.',
    })));
  }
  if (!placement.vpc) {
    rules.push(...inPacks('LambdaInsideVPC').map((id) => ({
      id,
      reason: 'The handler reaches only AWS APIs (STS, CodeArtifact, Secrets Manager) and holds no data of a network; set vpc to run it in a VPC (with endpoints or a route to those APIs).',
    })));
  }
  // The SingletonFunction's node is a facade; permissionsNode is the real function's.
  suppressNag(fn.permissionsNode.defaultChild, rules);
  for (const policy of [handler.role, handler.issuerRole].map((r) => r.node.tryFindChild('DefaultPolicy')?.node.defaultChild)) {
    suppressNag(policy, rules.filter((r) => r.id.endsWith('IAMNoInlinePolicy')));
  }
  suppressNag(handler.issuerAccess.node.defaultChild, inPacks('IAMNoInlinePolicy').map((id) => ({
    id,
    reason: 'One statement of constant size: assuming the issuer role (with its session tags) only from the handler function itself (lambda:SourceFunctionArn). Inline and apart from the default policy because it names the function, which depends on the default policy.',
  })));
  if (!placement.logGroupEncryptionKey) {
    suppressNag(logGroup.node.defaultChild, inPacks('CloudWatchLogGroupEncrypted').map((id) => ({
      id,
      reason: 'CloudWatch Logs encrypts the handler\'s log group with its own key; it never holds a token. Set logGroupEncryptionKey to use a customer-managed key.',
    })));
  }
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
