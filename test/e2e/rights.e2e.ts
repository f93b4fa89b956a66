/**
 * Per-token rights, tried as an attacker would (issue 15), against the shipped handler on the local
 * AWS, every request (STS, CodeArtifact, Secrets Manager, the repositories) decided by the local IAM
 * evaluator over the synthesized template's policies. The stack (test/e2e/apps/rights.ts): token A
 * reads `shared`, B reads `other`, C reads and publishes to `releases`, D reads `tools` in another
 * account's domain `partner`; all share one handler and one issuer role; `DatabasePassword` is a
 * plain secret of the same stack.
 *
 * Each attack must end one of two ways: nothing is written and the reason says that the
 * configuration asked for is not the template's; or the stored token carries no right beyond A's
 * template rights. Either way, A's stored token is then tried with the real npm: an install from
 * `other` and a publish to `releases` must be refused by the repositories.
 */
import { createHash, randomUUID } from 'crypto';
import * as path from 'path';
import {
  CreateSecretCommand, GetSecretValueCommand, ListSecretVersionIdsCommand, RotateSecretCommand, TagResourceCommand, UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { TOKEN_ID_CHARS } from '../../lib/contract';
import {
  ACCOUNT, cleanup, cloudFormationSystemTags, E2eEnv, npmInstall, npmPublish, PROJECT_ROOT, REGION, roleArn, RotationInvocation, STACK_ID, synthApp,
  writeNpmPackage,
} from '../local-aws';

const APP = path.join(__dirname, 'apps', 'rights.ts');
const OUT = path.join(PROJECT_ROOT, '.e2e', 'cdk.out.rights');
const STACK = 'CodeArtifactTokenRights';
const PARTNER = '111122223333';
const TAG = (name: string) => `cdk-codeartifact-token:${name}`;
/** What the issuer's refusal of a configuration that is not the template's reads like, in the handler's reason. */
const NOT_THE_TEMPLATES = new RegExp('AccessDeniedException: User: arn:aws:sts::\\d{12}:assumed-\\S+ is not authorized to perform: '
  + 'sts:GetServiceBearerToken on resource: \\* because no identity-based policy allows the sts:GetServiceBearerToken action\\. '
  + 'The issuer role grants a bearer token only for the configuration the deployed template gives this secret\'s token .*'
  + 'is not that one\\. If the secret\'s configuration tags were changed, restore them or redeploy the stack; nothing was written\\.');

let env: E2eEnv;
/** Logical ids: the four tokens' custom resources and secrets, and the plain secret. */
const ids = { token: {} as Record<string, string>, secret: {} as Record<string, string>, database: '' };

const secretOf = (t: string) => env.physicalId(ids.secret[t]);
const templateTags = (logicalId: string) => env.resolve(env.template.Resources[logicalId].Properties.Tags) as Array<{ Key: string; Value: string }>;
const currentOf = async (arn: string) => {
  const out = await env.sm.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSCURRENT' }));
  return { versionId: out.VersionId!, value: out.SecretString! };
};
/** Whether AWSCURRENT is still the same version with the same value; says which without printing either (they may hold tokens). */
const unchangedSince = async (arn: string, before: { versionId: string; value: string }) => {
  const now = await currentOf(arn);
  if (now.versionId !== before.versionId) return `AWSCURRENT moved to another version${now.value.includes('authorizationToken') ? ', which holds a token' : ''}`;
  return now.value === before.value ? 'unchanged' : 'the value changed';
};
const tokenIn = (value: string) => JSON.parse(value).authorizationToken as string;
const npmEndpoint = (repo: string, domain = 'acme', owner = ACCOUNT) => env.repositories.endpoint(domain, owner, REGION, 'npm', repo);

beforeAll(async () => {
  const template = synthApp(APP, OUT, STACK);
  for (const [id, r] of Object.entries<any>(template.Resources)) {
    const t = /^([ABCD])(IssueToken|Secret)[0-9A-F]{8}$/.exec(id);
    if (t && r.Type === 'Custom::CodeArtifactAuthorizationToken') ids.token[t[1]] = id;
    if (t && r.Type === 'AWS::SecretsManager::Secret') ids.secret[t[1]] = id;
    if (/^DatabasePassword[0-9A-F]{8}$/.test(id)) ids.database = id;
  }
  expect(Object.keys(ids.token).sort()).toEqual(['A', 'B', 'C', 'D']);
  env = await E2eEnv.start({ cdkOut: OUT, stackName: STACK, token: ids.token.A, authorizeSecretsManager: true });
  // GIVEN the stack deployed: its secrets, the domains (acme here, partner in another account, and an
  // acme there too, so that only IAM stands between a token and it), the four tokens issued
  await env.createStackResources();
  env.codeArtifact.domains.add(`${PARTNER}/partner`);
  env.codeArtifact.domains.add(`${PARTNER}/acme`);
  env.repositories.addRepository('partner', PARTNER, REGION, 'tools');
  for (const t of ['A', 'B', 'C', 'D']) {
    const created = await env.cfn('Create', { tokenLogicalId: ids.token[t] });
    expect([t, created.response?.Status, created.response?.Reason]).toEqual([t, 'SUCCESS', 'OK']);
  }
  for (const repo of ['shared', 'other', 'releases']) env.repositories.seedNpm('acme', ACCOUNT, REGION, repo, `only-in-${repo}`, '1.0.0');
  env.repositories.seedNpm('partner', PARTNER, REGION, 'tools', 'only-in-tools', '1.0.0');
}, 180_000);

afterAll(async () => {
  await env?.stop();
  cleanup();
});

afterEach(async () => {
  // THEN, whatever happened: no token text anywhere
  expect(env.leaks()).toEqual([]);
  // and A's secret is back to its template tags, with no rotation left pending, for the next attack
  await env.sm.send(new TagResourceCommand({ SecretId: secretOf('A'), Tags: templateTags(ids.secret.A) }));
  await clearPending(secretOf('A'));
});

/** What an operator does after a failed rotation: AWSPENDING off the version that never became current. */
async function clearPending(arn: string): Promise<void> {
  const versions = await env.sm.send(new ListSecretVersionIdsCommand({ SecretId: arn }));
  for (const v of versions.Versions ?? []) {
    if (v.VersionStages?.includes('AWSPENDING') && !v.VersionStages.includes('AWSCURRENT')) {
      await env.sm.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'AWSPENDING', RemoveFromVersionId: v.VersionId }));
    }
  }
}

/** A rotation as Secrets Manager runs it (RotateSecret, then each step through the kit's rotation invoker). */
async function rotateSecret(arn: string): Promise<RotationInvocation[]> {
  const out = await env.sm.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: env.handlerFunction.functionArn }));
  return env.rotationInvoker.rotation(out.VersionId!);
}

/**
 * A's stored token, tried with the real npm: reading `other` (B's) and publishing to `releases`
 * (C's) are refused by the repositories with IAM's reason; reading `shared` (A's own) still works.
 */
async function expectOnlyTemplateRights(): Promise<void> {
  const token = tokenIn((await currentOf(secretOf('A'))).value);
  const mark = env.repositories.requests.length;
  const other = await npmInstall({ endpoint: npmEndpoint('other'), token, pkg: 'only-in-other' });
  expect(other.ok).toBe(false);
  expect(other.output).toMatch(/E403/);
  const publish = await npmPublish({ endpoint: npmEndpoint('releases'), token, packageDir: writeNpmPackage(`attempt-${randomUUID().slice(0, 8)}`, '1.0.0') });
  expect(publish.ok).toBe(false);
  expect(publish.output).toMatch(/E403/);
  // (npm publish asks for the packument first, which A's token may not read either)
  const refused = env.repositories.requests.slice(mark).filter((r) => r.decision !== 'allowed');
  const why = (action: string, arn: string) => `implicitly denied: no session statement allows ${action} on arn:aws:codeartifact:${REGION}:${ACCOUNT}:${arn}`;
  const readOther = why('codeartifact:ReadFromRepository', 'repository/acme/other');
  const readReleases = why('codeartifact:ReadFromRepository', 'repository/acme/releases');
  const publishReleases = new RegExp(`^${why('codeartifact:PublishPackageVersion', 'package/acme/releases/npm//attempt-')}`);
  expect(refused.map((r) => r.reason)).toContain(readOther);
  expect(refused.filter((r) => publishReleases.test(r.reason ?? '')).map((r) => r.status)).toEqual([403]);
  for (const r of refused) {
    expect([r.status, [readOther, readReleases].includes(r.reason!) || publishReleases.test(r.reason!)]).toEqual([403, true]);
  }
  const own = await npmInstall({ endpoint: npmEndpoint('shared'), token, pkg: 'only-in-shared' });
  expect(own.output).toContain('added 1 package');
}

describe('tag edits on token A\'s secret, then a rotation', () => {
  /** A's token id, as its legitimate rotation tagged the issuer session. */
  let idOfA = '';
  test('the baseline: A rotates with its template tags, and its token reads only shared', async () => {
    const steps = await rotateSecret(secretOf('A'));
    expect(steps.map((s) => [s.event.Step, s.result.ok])).toEqual([['createSecret', true], ['setSecret', true], ['testSecret', true], ['finishSecret', true]]);
    const session = env.sts.calls.filter((c) => c.outcome === 'assumed').at(-1)!;
    idOfA = session.tags!.find((t) => t.Key === TAG('token'))!.Value.split(' ')[0];
    // the id the contract derives from the secret's logical id, which only the template decides
    expect(idOfA).toBe(createHash('sha256').update(ids.secret.A).digest('hex').slice(0, TOKEN_ID_CHARS));
    await expectOnlyTemplateRights();
  }, 120_000);

  /** The two session tags the handler asked with, as `TOKEN-TAG|REPOSITORIES-TAG`: A's id, then the configuration asked for. */
  const ID = `[0-9a-f]{${TOKEN_ID_CHARS}}`;
  const attacks: Array<[string, Record<string, string>, RegExp]> = [
    ['access: read-and-publish', { [TAG('access')]: 'read-and-publish' },
      new RegExp(`^(${ID}) \\d+ read-and-publish ${ACCOUNT} eu-west-1 acme\\|\\1 shared$`)],
    ['repositories: shared other releases', { [TAG('repositories')]: 'shared other releases' },
      new RegExp(`^(${ID}) \\d+ read ${ACCOUNT} eu-west-1 acme\\|\\1 shared other releases$`)],
    ['repositories: :all', { [TAG('repositories')]: ':all' },
      new RegExp(`^(${ID}) \\d+ read ${ACCOUNT} eu-west-1 acme\\|\\1 :all$`)],
    ['domain: partner, the other account\'s (with its repository tools)', { [TAG('domain')]: 'partner', [TAG('domain-owner')]: PARTNER, [TAG('repositories')]: 'tools' },
      new RegExp(`^(${ID}) \\d+ read ${PARTNER} eu-west-1 partner\\|\\1 tools$`)],
    ['domain-owner: the other account', { [TAG('domain-owner')]: PARTNER },
      new RegExp(`^(${ID}) \\d+ read ${PARTNER} eu-west-1 acme\\|\\1 shared$`)],
  ];
  /** The issuer's refusal: of the bearer token, or (a domain it holds no right on) already of the domain. */
  const refusal = (tampered: Record<string, string>) => (tampered[TAG('domain-owner')] && !tampered[TAG('domain')]
    ? {
      reason: `implicitly denied: no identity statement allows codeartifact:GetAuthorizationToken on arn:aws:codeartifact:${REGION}:${PARTNER}:domain/acme`,
      error: new RegExp(`AccessDeniedException: User: \\S+ is not authorized to perform: codeartifact:GetAuthorizationToken on resource: arn:aws:codeartifact:${REGION}:${PARTNER}:domain/acme `),
    }
    : { reason: 'implicitly denied: no identity statement allows sts:GetServiceBearerToken on *', error: NOT_THE_TEMPLATES });
  test.each(attacks)('%s: the issuer refuses the configuration, nothing is written, A keeps only its rights', async (_, tampered, askedFor) => {
    // GIVEN someone with secretsmanager:TagResource on A's secret changes its configuration tags
    const arn = secretOf('A');
    const before = await currentOf(arn);
    await env.sm.send(new TagResourceCommand({ SecretId: arn, Tags: Object.entries(tampered).map(([Key, Value]) => ({ Key, Value })) }));
    const mark = env.mark();
    // WHEN the next rotation runs
    const steps = await rotateSecret(arn);
    // THEN the handler asked the issuer for exactly the tampered configuration, under A's own id ...
    const sessions = env.sts.calls.slice(mark.sts);
    expect(sessions.map((c) => c.outcome)).toEqual(['assumed']);
    const tag = (key: string) => sessions[0].tags?.find((t) => t.Key === key)?.Value;
    expect(`${tag(TAG('token'))}|${tag(TAG('repositories'))}`).toMatch(askedFor);
    expect(tag(TAG('token'))!.split(' ')[0]).toBe(idOfA);
    // ... the issuer refused a bearer token for it, and createSecret failed saying why, before writing anything
    const expected = refusal(tampered);
    expect(env.codeArtifact.calls.slice(mark.codeArtifact).map((c) => [c.outcome, c.reason])).toEqual([['AccessDeniedException', expected.reason]]);
    expect(steps.map((s) => [s.event.Step, s.result.ok])).toEqual([['createSecret', false]]);
    expect(steps[0].result.error).toMatch(expected.error);
    const calls = env.callsSince(mark);
    expect([calls['secretsmanager:PutSecretValue'], calls['secretsmanager:UpdateSecretVersionStage']]).toEqual([undefined, undefined]);
    expect(await unchangedSince(arn, before)).toBe('unchanged');
    // AND A's stored token still has only A's template rights
    await expectOnlyTemplateRights();
  }, 120_000);
});

test('a hand-made Update whose properties equal the tampered tags: FAILED, nothing written', async () => {
  // GIVEN the tags widened, and an Update event (lambda:InvokeFunction) whose properties say the same
  const arn = secretOf('A');
  const before = await currentOf(arn);
  const tampered = { [TAG('access')]: 'read-and-publish', [TAG('repositories')]: 'shared other releases' };
  await env.sm.send(new TagResourceCommand({ SecretId: arn, Tags: Object.entries(tampered).map(([Key, Value]) => ({ Key, Value })) }));
  const mark = env.mark();
  // WHEN
  const r = await env.cfn('Update', { props: env.propertiesOf(ids.token.A, { Access: 'read-and-publish', Repositories: 'shared other releases' }) });
  // THEN the properties match the tags (the handler's consistency check passes), but the issuer refuses
  expect(r.response?.Status).toBe('FAILED');
  expect(r.response?.Reason).toMatch(NOT_THE_TEMPLATES);
  expect(env.callsSince(mark)['secretsmanager:PutSecretValue']).toBeUndefined();
  expect(await unchangedSince(arn, before)).toBe('unchanged');
  await expectOnlyTemplateRights();
}, 120_000);

describe('a secret of the same stack that is no token, tagged with our tags', () => {
  let database: string;
  let original: { versionId: string; value: string };
  beforeAll(async () => {
    // GIVEN the plain secret of the stack (CloudFormation generated its value), with our stack tag and
    // A's configuration tags added by someone with TagResource
    database = env.physicalId(ids.database);
    original = await currentOf(database);
    await env.sm.send(new TagResourceCommand({ SecretId: database, Tags: templateTags(ids.secret.A) }));
  });
  afterEach(async () => {
    env.secretsProxy.authorizer = env.secretsAuthorizer;
    await clearPending(database);
    expect(await unchangedSince(database, original)).toBe('unchanged');
  });

  test('by rotation: IAM refuses the handler\'s DescribeSecret (the logical-id condition); nothing written', async () => {
    const mark = env.mark();
    const steps = await rotateSecret(database);
    expect(steps.map((s) => [s.event.Step, s.result.ok])).toEqual([['createSecret', false]]);
    expect(steps[0].result.error).toMatch(new RegExp(`DescribeSecret on ${database} failed: AccessDeniedException: User: \\S+ is not authorized to perform: `
      + `secretsmanager:DescribeSecret on resource: ${database} because no identity-based policy allows the secretsmanager:DescribeSecret action`));
    expect(env.secretsProxy.calls.slice(mark.secrets).map((c) => [c.operation, c.outcome, c.reason])).toEqual([
      ['DescribeSecret', 'AccessDeniedException', `implicitly denied: no identity statement allows secretsmanager:DescribeSecret on ${database}`],
    ]);
    expect(env.callsSince(mark)['sts:AssumeRole']).toBeUndefined();
  });

  test('by a hand-made Create naming it: FAILED, refused by IAM; nothing written', async () => {
    const r = await env.cfn('Create', { props: env.propertiesOf(ids.token.A, { SecretId: database }) });
    expect(r.response?.Status).toBe('FAILED');
    expect(r.response?.Reason).toMatch(/DescribeSecret on .* failed: AccessDeniedException: .*because no identity-based policy allows the secretsmanager:DescribeSecret action/);
  });

  test('were IAM to let it through, the handler\'s second line holds: the issuer gives no token to a secret that is no template token', async () => {
    // GIVEN the Secrets Manager policy out of the way (as if it allowed every secret of the stack)
    env.secretsProxy.authorizer = undefined;
    const mark = env.mark();
    // WHEN a rotation and a Create target the plain secret
    const steps = await rotateSecret(database);
    const created = await env.cfn('Create', { props: env.propertiesOf(ids.token.A, { SecretId: database }) });
    // THEN both fail at the issuer, and neither writes
    expect(steps.map((s) => [s.event.Step, s.result.ok])).toEqual([['createSecret', false]]);
    expect(steps[0].result.error).toMatch(NOT_THE_TEMPLATES);
    expect(created.response?.Status).toBe('FAILED');
    expect(created.response?.Reason).toMatch(NOT_THE_TEMPLATES);
    expect(env.callsSince(mark)['secretsmanager:PutSecretValue']).toBeUndefined();
  });
});

describe('a foreign stack\'s event', () => {
  const FOREIGN_STACK = STACK_ID.replace(/\/[^/]+\/[^/]+$/, '/CodeArtifactTokenRights/ffffffff-0000-4000-8000-000000000000');
  let foreign: string;
  let foreignValue: { versionId: string; value: string };
  beforeAll(async () => {
    // GIVEN another stack of the same app (same logical ids), its secret holding its own value
    const tags = templateTags(ids.secret.A).map((t) => t.Key === TAG('stack') ? { ...t, Value: FOREIGN_STACK } : t);
    const out = await env.sm.send(new CreateSecretCommand({
      Name: `foreign-${randomUUID()}`,
      SecretString: 'foreign value',
      Tags: [...tags, ...cloudFormationSystemTags(ids.secret.A).map((t) => t.Key === 'aws:cloudformation:stack-id' ? { ...t, Value: FOREIGN_STACK } : t)],
    }));
    foreign = out.ARN!;
    foreignValue = await currentOf(foreign);
  });
  afterEach(() => {
    env.secretsProxy.authorizer = env.secretsAuthorizer;
  });

  test('an event with its StackId: refused by the handler before any request', async () => {
    const mark = env.mark();
    const r = await env.cfn('Create', { stackId: FOREIGN_STACK, props: env.propertiesOf(ids.token.A, { SecretId: foreign }) });
    expect(r.response?.Status).toBe('FAILED');
    expect(r.response?.Reason).toBe(`the event comes from stack ${JSON.stringify(FOREIGN_STACK)}, not this handler's stack ${STACK_ID}; nothing was written`);
    expect(env.callsSince(mark)).toEqual({});
    expect(await unchangedSince(foreign, foreignValue)).toBe('unchanged');
  });

  test('an event with our StackId naming its secret (the same logical id as A\'s): refused by IAM (stack-id condition), and by the handler', async () => {
    const props = env.propertiesOf(ids.token.A, { SecretId: foreign });
    const byIam = await env.cfn('Create', { props });
    expect(byIam.response?.Status).toBe('FAILED');
    expect(byIam.response?.Reason).toMatch(/DescribeSecret on .* failed: AccessDeniedException: .*because no identity-based policy allows the secretsmanager:DescribeSecret action/);
    // AND were IAM to let it through, the handler's own check of CloudFormation's tag
    env.secretsProxy.authorizer = undefined;
    const byHandler = await env.cfn('Create', { props });
    expect(byHandler.response?.Status).toBe('FAILED');
    expect(byHandler.response?.Reason).toBe(`secret ${foreign} is not a token secret of this stack (${STACK_ID}): `
      + `tag aws:cloudformation:stack-id is ${JSON.stringify(FOREIGN_STACK)}, tag ${TAG('stack')} is ${JSON.stringify(FOREIGN_STACK)}; nothing was written`);
    expect(await unchangedSince(foreign, foreignValue)).toBe('unchanged');
  });
});

describe('code running as the handler role outside the handler function', () => {
  const issuerRole = () => roleArn(Object.keys(env.template.Resources).find((id) => id.startsWith('CodeArtifactTokenHandlerIssuerRole') && env.template.Resources[id].Type === 'AWS::IAM::Role')!);
  const sts = (accessKeyId: string) => new STSClient({ region: REGION, endpoint: env.sts.url, maxAttempts: 1, credentials: { accessKeyId, secretAccessKey: 'e2e' } });

  test.each([
    ['no lambda:SourceFunctionArn (a function of their own, a container, a laptop)', 'AKIAROGUEHANDLERROLE', {}],
    ['another function\'s ARN (lambda:CreateFunction with iam:PassRole of the handler role)', 'AKIAROGUEOTHERFUNCTN', { 'lambda:SourceFunctionArn': `arn:aws:lambda:${REGION}:${ACCOUNT}:function:rogue` }],
  ])('%s: cannot assume the issuer role, with or without the token\'s tags', async (_, key, context) => {
    // GIVEN the handler role's credentials, outside the handler function
    env.identities.addRoleCredentials(key, env.handlerFunction.roleArn, context, 'rogue');
    // AND the session tags A's legitimate issuance used
    const legit = env.sts.calls.find((c) => c.outcome === 'assumed' && c.tags?.length)!;
    const client = sts(key);
    try {
      for (const Tags of [legit.tags!.map((t) => ({ ...t })), undefined]) {
        // WHEN
        const e = await client.send(new AssumeRoleCommand({ RoleArn: issuerRole(), RoleSessionName: 'rogue', DurationSeconds: 900, Tags })).then(() => undefined, (err) => err as Error);
        // THEN the local STS refuses: the trust policy delegates to the account, and the handler role's identity
        // policy allows sts:AssumeRole only with lambda:SourceFunctionArn = the handler function
        expect(e?.name).toBe('AccessDenied');
        expect(e?.message).toMatch(new RegExp(`^User: arn:aws:sts::${ACCOUNT}:assumed-role/CodeArtifactTokenHandlerRole\\w+/rogue is not authorized to perform: `
          + `sts:AssumeRole on resource: ${issuerRole()} \\(the caller's identity policy: implicitly denied: no identity statement allows sts:AssumeRole`));
      }
      // AND the handler function's own credentials still may (the control)
      expect(env.sts.calls.filter((c) => c.outcome === 'assumed').length).toBeGreaterThan(0);
    } finally {
      client.destroy();
    }
  });
});
