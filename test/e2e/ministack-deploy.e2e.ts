/**
 * The example app (integ/integ.default.ts, synthesized from the current lib/ by the e2e's global
 * setup) deployed through a CloudFormation engine we did not write: MiniStack, with AUTH=true so
 * that its IAM judges every call of the handler's role and of the issuer sessions. The shipped
 * handler asset is the custom resource's and the rotation's Lambda (MiniStack runs it as a local Node
 * process); CodeArtifact is the kit's fake, and the npm repository sits behind the kit's TLS proxy.
 *
 * Create -> a token in the secret and a real `npm install` with it; Update (the token's duration) ->
 * a new token; a rotation (its four steps through MiniStack's Lambda Invoke) -> a new token; Delete
 * -> nothing left in any service. Then every IAM request of the lifecycle is judged again by the
 * kit's evaluator, and the two verdicts must agree.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  CloudFormationClient, CreateStackCommand, DeleteStackCommand, DescribeStackResourcesCommand, UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { IAMClient } from '@aws-sdk/client-iam';
import { GetFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { TEST_RESPONSE_ORIGIN_ENV } from '../../lib/handler/response-url';
import {
  ACCOUNT, AwsCallRecorder, CDK_OUT, EXAMPLE_STACK, FakeCodeArtifact, MiniStack, PackageRepositories, PROJECT_ROOT, readmeSnippet,
  REGION, RepositoryProxy, RotationInvoker, runBashSnippet, ensurePythonVenv,
} from '../local-aws';
import { compareHandlerCalls, compareIssuer, deployedRole, IamComparison, sessionTags } from '../local-aws/iam-agreement';
import {
  botocoreCalls, clientConfig, ministackTemplateEdits, probeMiniStack, publishAssets, TEMPLATE_EDITS, waitForStack,
} from '../local-aws/ministack-deploy';

jest.setTimeout(300_000);

const STACK = EXAMPLE_STACK;
let ministack: MiniStack;
let recorder: AwsCallRecorder;
let codeArtifact: FakeCodeArtifact;
let repositories: PackageRepositories;
let repositoryProxy: RepositoryProxy;
let rotationInvoker: RotationInvoker;
let cfn: CloudFormationClient;
let sm: SecretsManagerClient;
let lambda: LambdaClient;
let iam: IAMClient;
let python: string;
let template: any;
let secretArn: string;
let handlerArn: string;
const dirs: string[] = [];

/** The secret's current token, as a reader with the account's credentials gets it. */
async function currentToken(): Promise<{ token: string; value: any }> {
  const value = JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString ?? '{}');
  return { token: value.authorizationToken, value };
}

/** A failing step prints what MiniStack and the handler said (tokens redacted). */
function ministackLog(): string {
  let out = ministack?.output ?? '';
  for (const t of codeArtifact?.issued ?? []) out = out.split(t).join('<token>');
  return out.slice(-6000);
}

async function step<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e: any) {
    throw new Error(`${what}: ${e.message}\n--- MiniStack's output (last lines) ---\n${ministackLog()}`);
  }
}

beforeAll(async () => {
  template = JSON.parse(fs.readFileSync(path.join(CDK_OUT, `${STACK}.template.json`), 'utf8'));
  const domainName = template.Resources.Domain.Properties.DomainName;
  codeArtifact = await FakeCodeArtifact.start();
  codeArtifact.domains.add(`${ACCOUNT}/${domainName}`);
  repositories = await PackageRepositories.start({
    // A request is allowed with a token the local CodeArtifact issued (MiniStack has no CodeArtifact
    // to ask); which identity may obtain one is what MiniStack's IAM and the kit's evaluator judge.
    authorize: ({ token }) => (codeArtifact.issued.includes(token) ? { allowed: true } : { allowed: false, reason: 'unknown token', unauthenticated: true }),
  });
  repositories.addRepository(domainName, ACCOUNT, REGION, 'shared');
  repositories.seedNpm(domainName, ACCOUNT, REGION, 'shared', 'left-pad', '1.3.0');
  repositoryProxy = await RepositoryProxy.start({ target: repositories, regions: [REGION] });
  recorder = await AwsCallRecorder.start();
  ministack = await MiniStack.start({
    log: (l) => console.log(`ministack: ${l}`),
    env: {
      // The functions' AWS calls go through the recorder (MiniStack passes its environment on).
      AWS_ENDPOINT_URL: recorder.url,
      AWS_ENDPOINT_URL_CODEARTIFACT: codeArtifact.url,
      // The Lambda runtime's AWS SDK v3, which the asset leaves external: the project's own.
      NODE_PATH: path.join(PROJECT_ROOT, 'node_modules'),
    },
    envFor: (url) => ({ [TEST_RESPONSE_ORIGIN_ENV]: url }),
  });
  recorder.target = ministack.url;
  python = path.join(PROJECT_ROOT, '.e2e', 'ministack-venv', 'bin', 'python');
  cfn = new CloudFormationClient(clientConfig(ministack.url));
  sm = new SecretsManagerClient(clientConfig(ministack.url));
  lambda = new LambdaClient(clientConfig(ministack.url));
  iam = new IAMClient(clientConfig(ministack.url));
  rotationInvoker = await RotationInvoker.start();
}, 120_000);

afterAll(async () => {
  await ministack?.stop();
  await Promise.all([recorder?.stop(), codeArtifact?.stop(), repositoryProxy?.stop(), repositories?.stop(), rotationInvoker?.stop()]);
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

test('the template edits for MiniStack are exactly the listed ones', () => {
  // A new edit must be listed (and justified in test/local-aws/README.md), not slipped in.
  expect(TEMPLATE_EDITS).toEqual([]);
  expect(ministackTemplateEdits(template)).toEqual(template);
});

describe('the example app through MiniStack\'s CloudFormation', () => {
  let firstToken: string;
  let updatedToken: string;
  let comparisons: IamComparison[];

  test('CreateStack reaches CREATE_COMPLETE with a valid token in the secret', async () => {
    // GIVEN the assets published and the bootstrap version, as a bootstrapped account has them
    const s3 = new S3Client(clientConfig(ministack.url));
    const templateObject = await step('publishing the assets', () => publishAssets(s3, CDK_OUT, STACK, python));
    const ssm = botocoreCalls(python, ministack.url, [['ssm', 'put_parameter', { Name: '/cdk-bootstrap/hnb659fds/version', Value: '30', Type: 'String', Overwrite: true }]]);
    expect(ssm[0]).toMatchObject({ ok: true });
    // WHEN
    await step('CreateStack', async () => {
      await cfn.send(new CreateStackCommand({
        StackName: STACK,
        TemplateURL: `${ministack.url}/${templateObject}`,
        Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      }));
      return waitForStack(cfn, STACK, 'CREATE_COMPLETE');
    });
    // THEN
    const resources = (await cfn.send(new DescribeStackResourcesCommand({ StackName: STACK }))).StackResources ?? [];
    const physical = (type: string) => resources.filter((r) => r.ResourceType === type).map((r) => r.PhysicalResourceId!);
    [secretArn] = physical('AWS::SecretsManager::Secret');
    handlerArn = (await lambda.send(new GetFunctionCommand({
      FunctionName: resources.find((r) => r.ResourceType === 'AWS::Lambda::Function' && r.LogicalResourceId!.startsWith('CodeArtifactTokenHandler'))!.PhysicalResourceId,
    }))).Configuration!.FunctionArn!;
    expect(secretArn).toMatch(/^arn:aws:secretsmanager:/);
    const { token, value } = await currentToken();
    expect(codeArtifact.issued).toContain(token);
    expect(value.expiration).toBeDefined();
    expect(codeArtifact.calls.filter((c) => c.outcome === 'token issued').map((c) => c.durationSeconds)).toEqual([43200]);
    // AND the secret carries the tags CloudFormation adds to what it creates
    const meta = await sm.send(new DescribeSecretCommand({ SecretId: secretArn }));
    expect(meta.Tags).toEqual(expect.arrayContaining([{ Key: 'aws:cloudformation:logical-id', Value: 'TokenSecretADE41DCA' }]));
    expect(meta.RotationEnabled).toBe(true);
    expect(meta.RotationLambdaARN).toBe(handlerArn);
    firstToken = token;
  });

  test('a real npm install succeeds with the stored token, configured as the README says', async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'ministack-consumer-'));
    dirs.push(cwd);
    fs.writeFileSync(path.join(cwd, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    const r = await runBashSnippet([readmeSnippet('read-secret'), readmeSnippet('npm-install')].join('\n'), {
      cwd,
      env: {
        PATH: `${path.dirname(ensurePythonVenv())}:${process.env.PATH}`,
        AWS_ACCESS_KEY_ID: ACCOUNT,
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_DEFAULT_REGION: REGION,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: ministack.url,
        AWS_CONFIG_FILE: '/nonexistent/e2e/config',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/e2e/credentials',
        TOKEN_SECRET_ARN: secretArn,
        ...repositoryProxy.clientEnvironment(),
      },
      redact: codeArtifact.issued,
      timeoutMs: 90_000,
    });
    expect(r.output).toContain('added 1 package');
    expect(r.ok).toBe(true);
    expect(fs.readFileSync(path.join(cwd, 'node_modules', 'left-pad', 'index.js'), 'utf8')).toContain('left-pad@1.3.0');
  });

  test('UpdateStack with another duration issues a new token of that duration', async () => {
    // GIVEN the same template with the token's duration changed (what a user's new `duration` prop synthesizes to)
    const updated = ministackTemplateEdits(template);
    // (the custom resource's property, and the secret's tag the handler checks it against)
    const token = Object.values<any>(updated.Resources).find((r) => r.Type === 'Custom::CodeArtifactAuthorizationToken');
    token.Properties.DurationSeconds = '21600';
    const secret = updated.Resources[token.Properties.SecretId.Ref];
    const durationTag = secret.Properties.Tags.find((t: any) => t.Key === 'cdk-codeartifact-token:duration-seconds');
    expect(durationTag).toEqual({ Key: 'cdk-codeartifact-token:duration-seconds', Value: '43200' });
    durationTag.Value = '21600';
    // WHEN
    await step('UpdateStack', async () => {
      await cfn.send(new UpdateStackCommand({ StackName: STACK, TemplateBody: JSON.stringify(updated), Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'] }));
      return waitForStack(cfn, STACK, 'UPDATE_COMPLETE');
    });
    // THEN
    updatedToken = (await currentToken()).token;
    expect(updatedToken).not.toBe(firstToken);
    expect(codeArtifact.issued).toContain(updatedToken);
    expect(codeArtifact.calls.filter((c) => c.outcome === 'token issued').map((c) => c.durationSeconds)).toEqual([43200, 21600]);
  });

  test('a rotation, its four steps invoked through MiniStack\'s Lambda Invoke, issues a new token', async () => {
    // GIVEN Secrets Manager's side of RotateSecret (MiniStack's RotateSecret invokes no function):
    // each step of a new version, sent to the function the secret's rotation names
    const meta = await sm.send(new DescribeSecretCommand({ SecretId: secretArn }));
    rotationInvoker.target = async (event) => {
      const started = Date.now();
      const out = await lambda.send(new InvokeCommand({ FunctionName: meta.RotationLambdaARN, Payload: Buffer.from(JSON.stringify(event)) }));
      const payload = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
      return { ok: !out.FunctionError, error: out.FunctionError ? payload : undefined, ms: Date.now() - started };
    };
    const versionId = randomUUID();
    // WHEN
    for (const stepName of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      await fetch(rotationInvoker.url, { method: 'POST', body: JSON.stringify({ SecretId: secretArn, ClientRequestToken: versionId, Step: stepName }) });
    }
    // THEN
    const steps = await rotationInvoker.rotation(versionId);
    expect(steps.map((s) => [s.event.Step, s.result.ok, s.result.error])).toEqual(
      ['createSecret', 'setSecret', 'testSecret', 'finishSecret'].map((s) => [s, true, undefined]));
    const after = await sm.send(new DescribeSecretCommand({ SecretId: secretArn }));
    expect(after.VersionIdsToStages?.[versionId]).toContain('AWSCURRENT');
    const { token } = await currentToken();
    expect(token).not.toBe(updatedToken);
    expect(codeArtifact.issued).toContain(token);
  });

  test('two IAM evaluators, one verdict: every handler and issuer request MiniStack judged, the kit judges the same', async () => {
    // GIVEN the roles' policies as MiniStack holds them, and the secret's tags
    const resources = (await cfn.send(new DescribeStackResourcesCommand({ StackName: STACK }))).StackResources ?? [];
    const roleNamed = (prefix: string) => resources.find((r) => r.ResourceType === 'AWS::IAM::Role' && r.LogicalResourceId!.startsWith(prefix))!.PhysicalResourceId!;
    const handler = await deployedRole(iam, roleNamed('CodeArtifactTokenHandlerRole'));
    const issuer = await deployedRole(iam, roleNamed('CodeArtifactTokenHandlerIssuerRole'));
    const meta = await sm.send(new DescribeSecretCommand({ SecretId: secretArn }));
    const tags = Object.fromEntries((meta.Tags ?? []).map((t) => [t.Key!, t.Value!]));
    // AND a request MiniStack must refuse: an issuer session (as AssumeRole gave it to the handler)
    // reading the secret, which neither the issuer role nor its session policy allows
    const assumed = recorder.calls.filter((c) => c.operation === 'AssumeRole' && c.status === 200).pop()!;
    const field = (name: string) => new RegExp(`<${name}>([^<]+)</${name}>|"${name}":"([^"]+)"`).exec(assumed.response)?.slice(1).find(Boolean)!;
    const issuerKey = field('AccessKeyId');
    const issuerSm = new SecretsManagerClient({
      ...clientConfig(recorder.url),
      credentials: { accessKeyId: issuerKey, secretAccessKey: field('SecretAccessKey'), sessionToken: field('SessionToken') },
    });
    await expect(issuerSm.send(new DescribeSecretCommand({ SecretId: secretArn }))).rejects.toThrow(/not authorized|AccessDenied/);
    // WHEN both judge the lifecycle's requests
    const handlerCalls = compareHandlerCalls({
      calls: recorder.calls,
      handler,
      issuer,
      handlerFunctionArn: handlerArn,
      secrets: [{ arn: secretArn, name: meta.Name!, tags }],
      issuerSessions: new Map([[issuerKey, {
        sessionPolicy: assumed.params.Policy ? JSON.parse(String(assumed.params.Policy)) : undefined,
        tags: Object.fromEntries(sessionTags(assumed.params)),
      }]]),
    });
    const domainName = template.Resources.Domain.Properties.DomainName;
    const issuerCalls = await compareIssuer({
      iam,
      issuer,
      domainArn: `arn:aws:codeartifact:${REGION}:${ACCOUNT}:domain/${domainName}`,
      sessionPolicies: recorder.calls.filter((c) => c.operation === 'AssumeRole' && c.params.Policy).map((c) => String(c.params.Policy)),
    });
    comparisons = [...handlerCalls, ...issuerCalls];
    console.log(`IAM verdicts compared:\n${comparisons.map((c) => `${c.who} ${c.action} ${c.resource}: MiniStack ${c.ministack}, kit ${c.kit}`).join('\n')}`);
    // THEN the handler's calls were all judged (and allowed) by both, and no verdict differs
    expect(handlerCalls.map((c) => c.action)).toEqual(expect.arrayContaining(['secretsmanager:PutSecretValue', 'secretsmanager:DescribeSecret']));
    expect(handlerCalls.some((c) => c.action.startsWith('sts:AssumeRole'))).toBe(true);
    expect(handlerCalls.filter((c) => c.who === 'issuer session')).toEqual([expect.objectContaining({ ministack: 'denied' })]);
    expect(comparisons.filter((c) => c.ministack !== c.kit)).toEqual([]);
  });

  test('DeleteStack leaves nothing behind in any service', async () => {
    // WHEN
    await step('DeleteStack', async () => {
      await cfn.send(new DeleteStackCommand({ StackName: STACK }));
      return waitForStack(cfn, STACK, 'DELETE_COMPLETE');
    });
    // THEN every service the template used lists nothing of the stack's
    const [secrets, functions, roles, policies, logGroups, rules, alarms, schedules, groups] = botocoreCalls(python, ministack.url, [
      ['secretsmanager', 'list_secrets', { IncludePlannedDeletion: true }],
      ['lambda', 'list_functions', {}],
      ['iam', 'list_roles', {}],
      ['iam', 'list_policies', { Scope: 'Local' }],
      ['logs', 'describe_log_groups', {}],
      ['events', 'list_rules', {}],
      ['cloudwatch', 'describe_alarms', {}],
      ['scheduler', 'list_schedules', {}],
      ['scheduler', 'list_schedule_groups', {}],
    ]);
    const left = {
      secrets: secrets.result?.SecretList?.map((s: any) => s.Name),
      functions: functions.result?.Functions?.map((f: any) => f.FunctionName),
      roles: roles.result?.Roles?.map((r: any) => r.RoleName).filter((n: string) => !n.startsWith('AWSServiceRole')),
      policies: policies.result?.Policies?.map((p: any) => p.PolicyName),
      logGroups: logGroups.result?.logGroups?.map((g: any) => g.logGroupName),
      rules: rules.result?.Rules?.map((r: any) => r.Name),
      alarms: alarms.result?.MetricAlarms?.map((a: any) => a.AlarmName),
      schedules: schedules.result?.Schedules?.map((s: any) => s.Name),
      scheduleGroups: groups.result?.ScheduleGroups?.map((g: any) => g.Name).filter((n: string) => n !== 'default'),
      codeArtifact: (ministack.output.match(/kit-providers: created AWS::CodeArtifact::\S+ \S+/g) ?? []).length
        - (ministack.output.match(/kit-providers: deleted AWS::CodeArtifact::\S+ \S+/g) ?? []).length,
    };
    expect(left).toEqual({
      secrets: [], functions: [], roles: [], policies: [], logGroups: [], rules: [], alarms: [], schedules: [], scheduleGroups: [], codeArtifact: 0,
    });
  });
});

/**
 * What MiniStack does with the features the templates use (README.md, "MiniStack: gaps"), as released
 * and with the kit's launcher: a MiniStack release that changes one fails here, and the README with it.
 */
describe('MiniStack\'s behaviour on the features the templates use', () => {
  const unrecognized = (type: string) => `An error occurred (ValidationError) when calling the CreateStack operation: Template format error: Unrecognized resource types: [${type}]`;
  const common = {
    // (a) session tags reach aws:PrincipalTag, and the trust policy must allow sts:TagSession
    a_principal_tag_matching: 'allowed',
    a_principal_tag_other_value: 'AccessDeniedException',
    a_tags_without_sts_TagSession_in_trust: 'AccessDenied',
    b_principal_arn_condition_other_role: 'AccessDenied',
    b_root_trust_role_session_no_condition: 'allowed',
    // (c) CloudFormation's system tags on what it creates, and aws:ResourceTag over them
    c_system_tags: ['aws:cloudformation:logical-id', 'aws:cloudformation:stack-id', 'aws:cloudformation:stack-name'],
    c_resource_tag_logical_id_matching: 'allowed',
    c_resource_tag_logical_id_other_secret: 'AccessDeniedException',
    // (d) AWS::Scheduler::ScheduleGroup is created and deleted
    d_schedule_group_stack_status: 'CREATE_COMPLETE',
    d_schedule_groups_after_delete: [],
    // RotateSecret promotes a copy of AWSCURRENT without invoking the rotation function
    rotate_secret_promotes_without_function: true,
  };

  test('as released (KIT_PROVIDERS=0): the gaps the README lists', async () => {
    const released = await MiniStack.start({ env: { KIT_PROVIDERS: '0' } });
    try {
      expect(await probeMiniStack(python, released.url)).toEqual({
        ...common,
        'b_principal_arn_condition_matching': 'AccessDenied',
        'b_principal_arn_is_the_session_arn': 'allowed',
        'b_lambda_source_function_arn_condition': 'AccessDenied',
        'ref_of_secret_is_arn': false,
        'unsupported_AWS::CodeArtifact::Domain': unrecognized('AWS::CodeArtifact::Domain'),
        'unsupported_AWS::SecretsManager::RotationSchedule': unrecognized('AWS::SecretsManager::RotationSchedule'),
      });
    } finally {
      await released.stop();
    }
  });

  test('with the kit\'s launcher: the gaps closed as AWS documents', async () => {
    expect(await probeMiniStack(python, ministack.url)).toEqual({
      ...common,
      'b_principal_arn_condition_matching': 'allowed',
      'b_principal_arn_is_the_session_arn': 'AccessDenied',
      'b_lambda_source_function_arn_condition': 'allowed',
      'ref_of_secret_is_arn': true,
      'unsupported_AWS::CodeArtifact::Domain': 'CREATE_COMPLETE',
      'unsupported_AWS::SecretsManager::RotationSchedule': 'CREATE_COMPLETE',
    });
  });
});
