/**
 * The local AWS the e2e run deploys into: moto (Secrets Manager) behind a recording proxy, a fake
 * CodeArtifact endpoint, a stand-in for CloudFormation's ResponseURL, and one Node process running
 * the handler asset exactly as synth put it into cdk.out. CloudFormation itself is not emulated:
 * the kit creates the secret the template describes and sends the custom-resource events.
 */
import { randomBytes, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import { CfnResponse, CfnResponseServer, ReceivedResponse } from './cfn-responses';
import { ExpectedValue, leakProblems } from './checks';
import { FakeCodeArtifact } from './fake-codeartifact';
import { Identities, sessionArnOf } from './identities';
import { JS_CLIENTS_BIN } from './js-clients';
import { HANDLER_ACCESS_KEY_ID, InvokeResult, LambdaEndpoints, LambdaProcess } from './lambda-process';
import { LocalSts } from './local-sts';
import { MotoServer } from './moto';
import { PackageRepositories } from './package-repositories';
import { ensurePythonVenv, PROJECT_ROOT } from './python-venv';
import { BashSnippetResult, readmeSnippet, runBashSnippet } from './readme-snippets';
import { RepositoryProxy } from './repository-proxy';
import { RotationInvocation, RotationInvoker } from './rotation-invoker';
import { SecretsAuthorizer, SecretsProxy, SecretsRequest } from './secrets-proxy';
import { ACCOUNT, cloudFormationSystemTags, findHandler, HandlerFunction, REGION, STACK_ID, TemplateResolver } from './template';

export { ACCOUNT, PARTITION, REGION, STACK_ID } from './template';
export const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = typeof STEPS[number];

export interface EnvOptions {
  /** @default <project>/cdk.out */
  readonly cdkOut?: string;
  /** @default CodeArtifactTokenDefault */
  readonly stackName?: string;
  /** The token this environment deploys, by the start of its logical id. @default the template's first token */
  readonly token?: string;
  /**
   * Decide the handler's Secrets Manager requests with the template's policies too, the secret's
   * tags as `aws:ResourceTag/KEY` (refused: AccessDeniedException, as IAM would).
   * @default false: moto answers every request
   */
  readonly authorizeSecretsManager?: boolean;
  readonly log?: (line: string) => void;
}

export interface CfnResult {
  readonly event: Record<string, any>;
  readonly invoke: InvokeResult;
  /** Every response that arrived for this event's RequestId. */
  readonly responses: ReceivedResponse[];
  /** The one response, when exactly one arrived. */
  readonly response?: CfnResponse;
}

export interface StepResult {
  readonly step: RotationStep;
  readonly invoke: InvokeResult;
  readonly stages: Record<string, string[]>;
}

export interface Rotation {
  readonly token: string;
  readonly steps: StepResult[];
}

/** Counts of API calls by `service:Operation`, from the endpoint's log and the proxy's. */
export type CallCounts = Record<string, number>;

export interface Mark { readonly codeArtifact: number; readonly secrets: number; readonly sts: number }

interface EnvParts {
  readonly template: any;
  readonly resolver: TemplateResolver;
  readonly handlerFunction: HandlerFunction;
  readonly identities: Identities;
  readonly moto: MotoServer;
  readonly secretsProxy: SecretsProxy;
  readonly codeArtifact: FakeCodeArtifact;
  readonly sts: LocalSts;
  readonly cfnResponses: CfnResponseServer;
  readonly lambda: LambdaProcess;
  readonly repositories: PackageRepositories;
  readonly repositoryProxy: RepositoryProxy;
  readonly rotationInvoker: RotationInvoker;
  readonly endpoints: LambdaEndpoints;
  readonly token?: string;
}

export class E2eEnv {
  public static async start(opts: EnvOptions = {}): Promise<E2eEnv> {
    const cdkOut = opts.cdkOut ?? path.join(PROJECT_ROOT, 'cdk.out');
    const stackName = opts.stackName ?? 'CodeArtifactTokenDefault';
    const templateFile = path.join(cdkOut, `${stackName}.template.json`);
    if (!fs.existsSync(templateFile)) {
      throw new Error(`${templateFile} does not exist: synthesize the example app first (synthExample() in test/local-aws/synth.ts)`);
    }
    const template = JSON.parse(fs.readFileSync(templateFile, 'utf8'));
    const resolver = new TemplateResolver(template);
    const handlerFunction = findHandler(template, cdkOut, resolver);
    const identities = new Identities(resolver);
    // The handler's own credentials stand for its execution role, as Lambda's would, and carry the
    // function's ARN (Lambda Developer Guide, "Using source function ARN to control function access
    // behavior": Lambda adds lambda:SourceFunctionArn to the credentials it gives the function).
    identities.addRoleCredentials(HANDLER_ACCESS_KEY_ID, handlerFunction.roleArn,
      { 'lambda:SourceFunctionArn': handlerFunction.functionArn }, handlerFunction.logicalId);
    // Secrets Manager's side of RotateSecret: moto invokes each step through the kit.
    const rotationInvoker = await RotationInvoker.start();
    const [moto, codeArtifact, sts, cfnResponses] = await Promise.all([
      MotoServer.start(opts.log, { E2E_ROTATION_INVOKE_URL: rotationInvoker.url }), FakeCodeArtifact.start({ identities }),
      LocalSts.start(identities), CfnResponseServer.start(),
    ]);
    const secretsProxy = await SecretsProxy.start(moto.url);
    // Package managers reach the repositories at their real host names, through a local TLS-inspecting
    // proxy, and each request is decided by the identity its token carries.
    const repositories = await PackageRepositories.start({
      authorize: ({ token, action, resourceArn }) => {
        const d = identities.authorizeToken(token, action, resourceArn);
        return d.allowed ? { allowed: true } : { allowed: false, reason: d.reason, unauthenticated: !d.authenticated };
      },
    });
    const repositoryProxy = await RepositoryProxy.start({ target: repositories, regions: [REGION] });
    const endpoints: LambdaEndpoints = {
      runtime: handlerFunction.runtime,
      region: REGION,
      secretsManager: secretsProxy.url,
      codeArtifact: codeArtifact.url,
      sts: sts.url,
      responseOrigin: new URL(cfnResponses.url).origin,
    };
    const lambda = await LambdaProcess.start(handlerFunction.asset, { ...endpoints, environment: handlerFunction.environment });
    rotationInvoker.target = (event) => lambda.invoke(event, handlerFunction.timeoutMs);
    const env = new E2eEnv({
      rotationInvoker,
      template,
      resolver,
      handlerFunction,
      identities,
      moto,
      secretsProxy,
      codeArtifact,
      sts,
      cfnResponses,
      lambda,
      repositories,
      repositoryProxy,
      endpoints,
      token: opts.token,
    });
    if (opts.authorizeSecretsManager) secretsProxy.authorizer = env.secretsAuthorizer;
    return env;
  }

  /** The kit's own Secrets Manager client: straight to moto, not counted as the handler's calls. */
  public readonly sm: SecretsManagerClient;
  public readonly tokenLogicalId: string;
  public readonly secretLogicalId: string;
  public readonly domainName: string;
  private readonly resolver: TemplateResolver;
  /** What package-manager runs printed (already redacted): part of the leak scan, in case redaction missed a form. */
  private readonly clientOutputs: string[] = [];
  /** Errors of failed invocations, as Lambda reports them: part of the leak scan. */
  private readonly invokeErrors: string[] = [];
  /**
   * IAM's decisions on Secrets Manager requests (set on `secretsProxy.authorizer` by
   * `authorizeSecretsManager`; a test may take it away and put it back).
   */
  public readonly secretsAuthorizer: SecretsAuthorizer;
  /** What earlier handler processes printed (before `updateStack`): part of the leak scan. */
  private readonly earlierHandlerOutput: string[] = [];
  private readonly endpoints: LambdaEndpoints;

  /** The deployed template: another after `updateStack`. */
  public template: any;
  public handlerFunction: HandlerFunction;
  /** Who is who, and which tokens carry which identity: decided from the template's policies. */
  public readonly identities: Identities;
  public readonly moto: MotoServer;
  public readonly secretsProxy: SecretsProxy;
  public readonly codeArtifact: FakeCodeArtifact;
  public readonly sts: LocalSts;
  public readonly cfnResponses: CfnResponseServer;
  /** The handler's process: a new one after `updateStack`. */
  public lambda: LambdaProcess;
  /** The domain's repositories, at their real endpoints through `repositoryProxy`. */
  public readonly repositories: PackageRepositories;
  public readonly repositoryProxy: RepositoryProxy;
  /** Runs the rotation steps that RotateSecret starts in the local Secrets Manager. */
  public readonly rotationInvoker: RotationInvoker;

  private constructor(parts: EnvParts) {
    ({
      template: this.template, resolver: this.resolver, handlerFunction: this.handlerFunction, identities: this.identities,
      moto: this.moto, secretsProxy: this.secretsProxy, codeArtifact: this.codeArtifact, sts: this.sts,
      cfnResponses: this.cfnResponses, lambda: this.lambda, repositories: this.repositories, repositoryProxy: this.repositoryProxy,
      rotationInvoker: this.rotationInvoker, endpoints: this.endpoints,
    } = parts);
    this.secretsAuthorizer = (request) => this.authorizeSecretsRequest(request);
    const template = this.template;
    const moto = this.moto;
    this.sm = new SecretsManagerClient({
      region: REGION,
      endpoint: moto.url,
      credentials: { accessKeyId: 'AKIAE2EHARNESS000000', secretAccessKey: 'kit' },
    });
    const [tokenId, token] = Object.entries<any>(template.Resources).find(([id, r]) =>
      r.Type === 'Custom::CodeArtifactAuthorizationToken' && id.startsWith(parts.token ?? ''))
      ?? (() => { throw new Error(`no token ${parts.token ?? ''} in the template`); })();
    this.tokenLogicalId = tokenId;
    this.secretLogicalId = token.Properties.SecretId.Ref;
    const domainResource = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::CodeArtifact::Domain');
    this.domainName = domainResource?.Properties.DomainName ?? this.resolve(token.Properties.Domain);
  }

  /** Back to an empty account and healthy endpoints, between scenarios. */
  public async reset(): Promise<void> {
    await this.moto.reset();
    this.secretsProxy.heal();
    this.codeArtifact.clear();
    this.identities.clear();
    for (const k of Object.keys(this.resolver.physical)) delete this.resolver.physical[k];
  }

  public get secretArn(): string {
    return this.resolver.physical[this.secretLogicalId];
  }

  /** Resolves a template value over what the kit created. */
  public resolve(v: any): any {
    return this.resolver.resolve(v);
  }

  /** What the token's secret value must hold (checks.ts), from the template's properties and a duration. */
  public expectedValue(durationSeconds: number): ExpectedValue {
    const p = this.properties();
    return {
      domain: this.domainName,
      domainOwner: ACCOUNT,
      domainRegion: REGION,
      durationSeconds,
      repositories: p.Repositories === ':all' ? '*' : p.Repositories.split(' '),
      access: p.Access as ExpectedValue['access'],
    };
  }

  /** The token's custom-resource properties, resolved, with `overrides` applied. */
  public properties(overrides: Record<string, string> = {}): Record<string, string> {
    return this.propertiesOf(this.tokenLogicalId, overrides);
  }

  /** Any token custom resource's properties, resolved, with `overrides` applied. */
  public propertiesOf(tokenLogicalId: string, overrides: Record<string, string> = {}): Record<string, string> {
    return { ...this.resolve(this.template.Resources[tokenLogicalId].Properties), ...overrides };
  }

  /** The physical id of a template resource the kit created (a secret's ARN, a token's physical id). */
  public physicalId(logicalId: string): string {
    const id = this.resolver.physical[logicalId];
    if (id === undefined) throw new Error(`${logicalId} has not been created`);
    return id;
  }

  /**
   * What CloudFormation does before the custom resources: creates every secret the template
   * describes (name, description, tags; GenerateSecretString gives it a random first value), and
   * the domain and repositories. Returns this token's secret ARN.
   */
  public async createStackResources(opts: { withValue?: boolean } = {}): Promise<string> {
    this.codeArtifact.domains.add(`${ACCOUNT}/${this.domainName}`);
    for (const r of Object.values<any>(this.template.Resources).filter((x) => x.Type === 'AWS::CodeArtifact::Repository')) {
      const { DomainName, RepositoryName } = this.resolve(r.Properties);
      this.repositories.addRepository(DomainName, ACCOUNT, REGION, RepositoryName);
    }
    const secrets = Object.keys(this.template.Resources).filter((id) => this.template.Resources[id].Type === 'AWS::SecretsManager::Secret');
    for (const id of secrets) {
      this.resolver.physical[id] = await this.createTemplateSecret(id, opts);
    }
    return this.secretArn;
  }

  /**
   * One more secret as CloudFormation creates the token's (the template's value and tags, and
   * CloudFormation's own tags), under another name: for a burst of many tokens of one stack.
   */
  public async createTokenSecret(opts: { withValue?: boolean; name?: string } = {}): Promise<string> {
    return this.createTemplateSecret(this.secretLogicalId, opts);
  }

  /**
   * A template secret as CloudFormation creates it: the template's value and tags, and
   * CloudFormation's own tags (aws:cloudformation:stack-id and aws:cloudformation:logical-id among
   * them, which no user can set: cloudFormationSystemTags in template.ts).
   */
  public async createTemplateSecret(logicalId: string, opts: { withValue?: boolean; name?: string } = {}): Promise<string> {
    const props = this.resolve(this.template.Resources[logicalId].Properties);
    const out = await this.sm.send(new CreateSecretCommand({
      Name: opts.name ?? props.Name ?? `${logicalId}-${randomBytes(6).toString('base64url')}`,
      Description: props.Description,
      Tags: [...(props.Tags ?? []), ...cloudFormationSystemTags(logicalId)],
      KmsKeyId: props.KmsKeyId,
      SecretString: opts.withValue === false ? undefined
        : props.SecretString ?? (props.GenerateSecretString ? randomBytes(24).toString('base64') : undefined),
    }));
    return out.ARN!;
  }

  /**
   * A stack update to another template (same stack, e.g. the next release of the library), as
   * CloudFormation runs it up to the custom resources: the roles and policies become the new
   * template's (every later request is decided by them), the function runs the new handler asset
   * (same function ARN when its logical id stays), and the secrets' tags become the new template's
   * (TagResource and UntagResource; CloudFormation's own tags stay). Secrets, their values and the
   * tokens issued so far are kept. Returns the token's properties before the update, for the
   * Update event that CloudFormation sends next when they changed.
   */
  public async updateStack(opts: {
    /** The new cloud assembly (its template and handler asset). */
    cdkOut?: string;
    /** @default CodeArtifactTokenDefault */
    stackName?: string;
    /** Or the new template itself, the handler asset staying where the current one is. */
    template?: any;
  }): Promise<Record<string, string>> {
    const oldProps = this.properties();
    const oldSecretTags = Object.fromEntries(Object.keys(this.template.Resources)
      .filter((id) => this.template.Resources[id].Type === 'AWS::SecretsManager::Secret')
      .map((id) => [id, (this.resolve(this.template.Resources[id].Properties.Tags ?? []) as Array<{ Key: string; Value: string }>)]));
    const cdkOut = opts.cdkOut ?? path.dirname(path.dirname(this.handlerFunction.asset));
    const template = opts.template
      ?? JSON.parse(fs.readFileSync(path.join(cdkOut, `${opts.stackName ?? 'CodeArtifactTokenDefault'}.template.json`), 'utf8'));
    for (const id of [this.tokenLogicalId, this.secretLogicalId]) {
      if (!template.Resources[id]) throw new Error(`the new template has no ${id}: CloudFormation would replace it, which this update does not model`);
    }
    this.template = template;
    this.resolver.template = template;
    const previousFunction = this.handlerFunction;
    this.handlerFunction = findHandler(template, cdkOut, this.resolver);
    this.identities.addRoleCredentials(HANDLER_ACCESS_KEY_ID, this.handlerFunction.roleArn,
      { 'lambda:SourceFunctionArn': this.handlerFunction.functionArn }, this.handlerFunction.logicalId);
    for (const [id, r] of Object.entries<any>(template.Resources)) {
      if (r.Type !== 'AWS::SecretsManager::Secret') continue;
      if (!this.resolver.physical[id]) {
        this.resolver.physical[id] = await this.createTemplateSecret(id);
        continue;
      }
      const tags = this.resolve(r.Properties.Tags ?? []) as Array<{ Key: string; Value: string }>;
      const removed = (oldSecretTags[id] ?? []).map((t) => t.Key).filter((k) => !tags.some((t) => t.Key === k));
      if (removed.length > 0) await this.sm.send(new UntagResourceCommand({ SecretId: this.resolver.physical[id], TagKeys: removed }));
      if (tags.length > 0) await this.sm.send(new TagResourceCommand({ SecretId: this.resolver.physical[id], Tags: tags }));
    }
    // Lambda runs the new code (or configuration) only when the function changed.
    if (previousFunction.asset !== this.handlerFunction.asset
      || JSON.stringify(previousFunction.environment) !== JSON.stringify(this.handlerFunction.environment)) {
      const previous = this.lambda;
      await previous.stop();
      this.earlierHandlerOutput.push(previous.output);
      this.lambda = await LambdaProcess.start(this.handlerFunction.asset, { ...this.endpoints, environment: this.handlerFunction.environment });
      this.rotationInvoker.target = (event) => this.lambda.invoke(event, this.handlerFunction.timeoutMs);
    }
    return oldProps;
  }

  /** What CloudFormation does to the secret when the token's duration changes: new tags. */
  public async updateSecretTags(tags: Record<string, string>): Promise<void> {
    await this.sm.send(new TagResourceCommand({ SecretId: this.secretArn, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }));
  }

  public async deleteSecret(): Promise<void> {
    await this.sm.send(new DeleteSecretCommand({ SecretId: this.secretArn, ForceDeleteWithoutRecovery: true }));
  }

  /** Sends one custom-resource event to the handler and collects the responses for it. */
  public async cfn(
    requestType: 'Create' | 'Update' | 'Delete',
    opts: {
      props?: Record<string, string>;
      oldProps?: Record<string, string>;
      requestId?: string;
      timeoutMs?: number;
      responseUrl?: string;
      /** Another token custom resource of the template, by logical id. @default this environment's token */
      tokenLogicalId?: string;
      /** The event's StackId. @default the stack's (STACK_ID) */
      stackId?: string;
    } = {},
  ): Promise<CfnResult> {
    const requestId = opts.requestId ?? randomUUID();
    const logicalId = opts.tokenLogicalId ?? this.tokenLogicalId;
    const props = opts.props ?? this.propertiesOf(logicalId);
    const event: Record<string, any> = {
      RequestType: requestType,
      ServiceToken: props.ServiceToken,
      ResponseURL: opts.responseUrl ?? this.cfnResponses.responseUrl(requestId),
      StackId: opts.stackId ?? STACK_ID,
      RequestId: requestId,
      LogicalResourceId: logicalId,
      ResourceType: this.template.Resources[logicalId].Type,
      ResourceProperties: props,
    };
    if (requestType !== 'Create') {
      event.PhysicalResourceId = this.resolver.physical[logicalId];
    }
    if (requestType === 'Update') {
      event.OldResourceProperties = opts.oldProps ?? this.propertiesOf(logicalId);
    }
    const invoke = await this.invoke(event, opts.timeoutMs);
    await settle();
    const responses = this.cfnResponses.for(requestId);
    const response = responses.length === 1 ? responses[0].body : undefined;
    if (requestType === 'Create' && response?.Status === 'SUCCESS' && event.StackId === STACK_ID) {
      this.resolver.physical[logicalId] = response.PhysicalResourceId;
    }
    return { event, invoke, responses, response };
  }

  /** One rotation step, as Secrets Manager invokes it. */
  public async rotationStep(step: RotationStep, versionId: string, timeoutMs?: number, secretId = this.secretArn): Promise<StepResult> {
    const invoke = await this.invoke({ SecretId: secretId, ClientRequestToken: versionId, Step: step }, timeoutMs);
    return { step, invoke, stages: await this.stages(secretId) };
  }

  /**
   * A whole rotation with one ClientRequestToken, step by step, stopping at the first failed step
   * (Secrets Manager then retries the rotation later with the same token).
   */
  public async rotate(opts: {
    token?: string;
    /** Delivers every step this many times. */
    deliveries?: number;
    /** Called before each step: to inject a fault. */
    before?: (step: RotationStep) => void | Promise<void>;
    /** Called after each step: to heal it. */
    after?: (step: RotationStep) => void | Promise<void>;
    /** Another of the stack's token secrets. @default the token's secret */
    secretId?: string;
  } = {}): Promise<Rotation> {
    const token = opts.token ?? randomUUID();
    const steps: StepResult[] = [];
    for (const step of STEPS) {
      await opts.before?.(step);
      let failed = false;
      for (let i = 0; i < (opts.deliveries ?? 1); i++) {
        const r = await this.rotationStep(step, token, undefined, opts.secretId);
        steps.push(r);
        failed ||= !r.invoke.ok;
      }
      await opts.after?.(step);
      if (failed) break;
    }
    return { token, steps };
  }

  /** The token's EventBridge Scheduler schedule in the template, if it has one. */
  public schedulerSchedule(): any | undefined {
    return Object.values<any>(this.template.Resources).find((r) => r.Type === 'AWS::Scheduler::Schedule'
      && JSON.stringify(r.Properties.Target.Input).includes(JSON.stringify({ Ref: this.secretLogicalId })));
  }

  /**
   * One tick of the token's Scheduler schedule: RotateSecret with the schedule's target Input,
   * resolved, as its universal target sends it (the SDK fills in ClientRequestToken), then the
   * rotation that Secrets Manager runs, to its end. Returns the version id and the steps invoked.
   */
  public async scheduledRotation(): Promise<{ versionId: string; steps: RotationInvocation[]; input: Record<string, any> }> {
    const schedule = this.schedulerSchedule();
    if (!schedule) throw new Error(`token ${this.tokenLogicalId} has no Scheduler schedule in the template`);
    const target = schedule.Properties.Target;
    const service = String(this.resolve(target.Arn));
    if (service !== 'arn:aws:scheduler:::aws-sdk:secretsmanager:rotateSecret') throw new Error(`the schedule targets ${service}`);
    const input = JSON.parse(this.resolve(target.Input));
    const out = await this.sm.send(new RotateSecretCommand(input));
    return { versionId: out.VersionId!, steps: await this.rotationInvoker.rotation(out.VersionId!), input };
  }

  /** DescribeSecret's VersionIdsToStages. */
  public async stages(secretId = this.secretArn): Promise<Record<string, string[]>> {
    try {
      const out = await this.sm.send(new DescribeSecretCommand({ SecretId: secretId }));
      return out.VersionIdsToStages ?? {};
    } catch (err) {
      if ((err as Error).name === 'ResourceNotFoundException') return {};
      throw err;
    }
  }

  /** The version id and value of a stage. */
  public async value(stage = 'AWSCURRENT', secretId = this.secretArn): Promise<{ versionId: string; value: string } | undefined> {
    try {
      const out = await this.sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }));
      return { versionId: out.VersionId!, value: out.SecretString ?? '' };
    } catch (err) {
      if (['ResourceNotFoundException', 'InvalidRequestException'].includes((err as Error).name)) return undefined;
      throw err;
    }
  }

  /**
   * Runs README snippets one after the other in one bash, as a user would paste them: in `cwd`, with
   * the kit's Python tools (aws, pip, twine, uv, poetry) and pnpm and Yarn (once `ensureJsClients` ran) first on PATH, the AWS CLI pointed at the local Secrets
   * Manager, TOKEN_SECRET_ARN naming this token's secret, and package managers behind the local
   * repository proxy. Every token the local CodeArtifact issued is redacted from the output.
   */
  public async runReadmeSnippets(names: string[], opts: { cwd: string; env?: Record<string, string> }): Promise<BashSnippetResult> {
    return this.runScript(names.map((n) => readmeSnippet(n)).join('\n'), opts);
  }

  /** Runs a bash script the way `runReadmeSnippets` runs the README's. */
  public async runScript(script: string, opts: { cwd: string; env?: Record<string, string> }): Promise<BashSnippetResult> {
    const venvBin = path.dirname(ensurePythonVenv());
    const result = await runBashSnippet(script, {
      cwd: opts.cwd,
      env: {
        PATH: `${venvBin}:${JS_CLIENTS_BIN}:${process.env.PATH}`,
        AWS_ACCESS_KEY_ID: 'AKIAE2EREADER0000000',
        AWS_SECRET_ACCESS_KEY: 'reader',
        AWS_DEFAULT_REGION: REGION,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: this.moto.url,
        AWS_CONFIG_FILE: '/nonexistent/e2e/config',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/e2e/credentials',
        TOKEN_SECRET_ARN: this.secretArn,
        ...this.repositoryProxy.clientEnvironment(),
        ...opts.env,
      },
      redact: this.codeArtifact.issued,
      timeoutMs: 90_000,
      // The proxy's trace holds the repositories' decision and reason for each request it forwarded.
      watch: [this.repositoryProxy],
    });
    this.clientOutputs.push(result.output);
    return result;
  }

  /** Writes a value as the kit, e.g. to corrupt the secret or leave a stale AWSPENDING behind. */
  public async putValue(value: string, versionStages: string[], versionId = randomUUID()): Promise<string> {
    await this.sm.send(new PutSecretValueCommand({
      SecretId: this.secretArn, SecretString: value, VersionStages: versionStages, ClientRequestToken: versionId,
    }));
    return versionId;
  }

  /** Where the API call logs stand now. */
  public mark(): Mark {
    return { codeArtifact: this.codeArtifact.calls.length, secrets: this.secretsProxy.calls.length, sts: this.sts.calls.length };
  }

  /** The handler's API calls since `mark`, by `service:Operation` (failed attempts included). */
  public callsSince(mark: Mark): CallCounts {
    const counts: CallCounts = {};
    const add = (k: string) => { counts[k] = (counts[k] ?? 0) + 1; };
    this.codeArtifact.calls.slice(mark.codeArtifact).forEach(() => add('codeartifact:GetAuthorizationToken'));
    this.secretsProxy.calls.slice(mark.secrets).forEach((c) => add(`secretsmanager:${c.operation}`));
    this.sts.calls.slice(mark.sts).forEach((c) => add(`sts:${c.operation}`));
    return counts;
  }

  /**
   * Every place the token text must never reach: the handler's stdout and stderr, the invocation
   * errors, every CloudFormation response. Returns what leaked where (the token itself redacted).
   */
  public leaks(): string[] {
    const places: [string, string][] = [
      ['handler stdout', this.lambda.stdout],
      ['earlier handler processes', this.earlierHandlerOutput.join('\n')],
      ['handler stderr', this.lambda.stderr],
      ['invocation errors', this.invokeErrors.join('\n')],
      ['package-manager output', this.clientOutputs.join('\n')],
      ...this.cfnResponses.received.map((r, i): [string, string] => [`CloudFormation response #${i + 1}`, `${r.path}\n${r.raw}`]),
    ];
    return leakProblems(this.codeArtifact.issued, places);
  }

  public async stop(): Promise<void> {
    await Promise.allSettled([
      this.lambda.stop(), this.moto.stop(), this.secretsProxy.stop(), this.codeArtifact.stop(), this.sts.stop(), this.cfnResponses.stop(),
      this.repositoryProxy.stop(), this.repositories.stop(), this.rotationInvoker.stop(),
    ]);
    this.sm.destroy();
  }

  /**
   * IAM's decision on a Secrets Manager request: the caller's template policies, on the secret's ARN,
   * with the secret's tags in context (Secrets Manager User Guide, "Control access to secrets using
   * tags": `aws:ResourceTag/tag-key`). A secret that does not exist is left to moto to answer.
   */
  private async authorizeSecretsRequest(request: SecretsRequest): Promise<Awaited<ReturnType<SecretsAuthorizer>>> {
    const principal = this.identities.principalOf(request.accessKeyId);
    if (!principal) return { allowed: false, message: 'The security token included in the request is invalid.', reason: `unknown access key ${request.accessKeyId}` };
    if (request.secretId === undefined) return { allowed: true };
    let meta;
    try {
      meta = await this.sm.send(new DescribeSecretCommand({ SecretId: request.secretId }));
    } catch {
      return { allowed: true };
    }
    const action = `secretsmanager:${request.operation}`;
    const context = Object.fromEntries((meta.Tags ?? []).map((t) => [`aws:ResourceTag/${t.Key}`, t.Value ?? '']));
    const d = this.identities.authorize(principal, action, meta.ARN!, context);
    if (d.allowed) return { allowed: true };
    const why = d.explicit ? 'with an explicit deny in an identity-based policy' : `because no identity-based policy allows the ${action} action`;
    return { allowed: false, message: `User: ${sessionArnOf(principal)} is not authorized to perform: ${action} on resource: ${meta.ARN} ${why}`, reason: d.reason };
  }

  private async invoke(event: unknown, timeoutMs = this.handlerFunction.timeoutMs): Promise<InvokeResult> {
    const r = await this.lambda.invoke(event, timeoutMs);
    if (r.error) this.invokeErrors.push(r.error);
    return r;
  }
}

/** Lets the last writes to stdout and the response server land before they are inspected. */
function settle(): Promise<void> {
  return new Promise((r) => setTimeout(r, 20));
}
