/**
 * Faults the handler must survive on the local AWS. Each scenario starts from a deployed token
 * (Create succeeded) and ends with the same guarantees: AWSCURRENT holds the last good token or a
 * new valid one, no AWSPENDING is left on a finished rotation, CloudFormation hears the cause, and
 * no token text reaches a log line or a response.
 */
import { randomUUID } from 'crypto';
import { withDeployedToken } from './deployed-token';
import { CfnResult, E2eEnv, schemaProblems, stageProblems } from '../local-aws';

const local = withDeployedToken();
let env: E2eEnv;
/** The deployed token every scenario starts from. */
let good: { versionId: string; token: string };

beforeEach(async () => {
  env = local.env;
  good = await current();
});

async function current(): Promise<{ versionId: string; token: string; value: string }> {
  const v = (await env.value())!;
  return { versionId: v.versionId, token: JSON.parse(v.value).authorizationToken, value: v.value };
}

const config = (durationSeconds = 43200) => env.expectedValue(durationSeconds);

/** Exactly one FAILED response, whose reason names the cause. */
function expectFailed(r: CfnResult, reason: RegExp): void {
  expect(r.responses).toHaveLength(1);
  expect(r.response?.Status).toBe('FAILED');
  expect(r.response?.Reason).toMatch(reason);
  expect(r.response?.PhysicalResourceId).toBe(r.event.PhysicalResourceId);
  expect(r.invoke.ok).toBe(true);
}

/** AWSCURRENT still holds the token of the last good deploy, nothing pending. */
async function expectLastGoodKept(): Promise<void> {
  const now = await current();
  expect(now.versionId).toBe(good.versionId);
  expect(now.token).toBe(good.token);
  expect(stageProblems(await env.stages(), good.versionId)).toEqual([]);
}

/** AWSCURRENT holds a new, valid token that CodeArtifact issued, the old one is AWSPREVIOUS. */
async function expectNewGoodToken(versionId: string, durationSeconds?: number): Promise<void> {
  const now = await current();
  expect(now.versionId).toBe(versionId);
  expect(now.token).not.toBe(good.token);
  expect(env.codeArtifact.issued).toContain(now.token);
  expect(schemaProblems(now.value, config(durationSeconds))).toEqual([]);
  expect(stageProblems(await env.stages(), versionId, good.versionId)).toEqual([]);
}

const updateProps = (overrides: Record<string, string> = {}) => ({ props: env.properties(overrides), oldProps: env.properties() });

test('throttling, then success: the rotation retries within its budget', async () => {
  // WHEN CodeArtifact throttles twice during createSecret
  env.codeArtifact.failNext('ThrottlingException', 2);
  const mark = env.mark();
  const rotation = await env.rotate();
  // THEN the rotation completes with the token of the third attempt
  expect(rotation.steps.map((s) => [s.step, s.invoke.ok])).toEqual([
    ['createSecret', true], ['setSecret', true], ['testSecret', true], ['finishSecret', true],
  ]);
  expect(env.codeArtifact.calls.slice(mark.codeArtifact).map((c) => c.outcome)).toEqual(['ThrottlingException', 'ThrottlingException', 'token issued']);
  await expectNewGoodToken(rotation.token);
});

test('throttling that outlasts the handler\'s deadline: the deploy fails in time and names the call', async () => {
  // GIVEN CodeArtifact throttles every request, and the Lambda has 8 seconds (its deadline: 3)
  env.codeArtifact.failNext('ThrottlingException', 1000);
  const r = await env.cfn('Update', { ...updateProps(), timeoutMs: 8000 });
  expectFailed(r, /^GetAuthorizationToken .* did not answer within the handler's deadline \(3 s\)$/);
  // the SDK kept retrying with backoff until then
  expect(env.codeArtifact.calls.filter((c) => c.outcome === 'ThrottlingException').length).toBeGreaterThan(1);
  await expectLastGoodKept();
});

test('AccessDeniedException: the deploy fails, says which permission is missing', async () => {
  env.codeArtifact.failNext('AccessDeniedException');
  const r = await env.cfn('Update', updateProps());
  expectFailed(r, /AccessDeniedException: User: .* is not authorized to perform: codeartifact:GetAuthorizationToken.*The issuer role holds codeartifact:GetAuthorizationToken only on the domains the deployed template gives its tokens.*nothing was written/);
  await expectLastGoodKept();
});

test('ResourceNotFoundException for a domain that no longer exists: the deploy fails and names the domain', async () => {
  // GIVEN the domain the template grants access to is deleted (IAM still allows it, so the
  // service answers ResourceNotFoundException, not AccessDeniedException)
  env.codeArtifact.domains.clear();
  const r = await env.cfn('Update', updateProps({}));
  expectFailed(r, new RegExp(`ResourceNotFoundException: Domain not found.*Check that domain '${env.domainName}' exists in account 123456789012, region eu-west-1`));
  await expectLastGoodKept();
  // and a rotation in the meantime fails the same way, keeping the last good token
  const rotation = await env.rotate();
  expect(rotation.steps.map((s) => s.invoke.ok)).toEqual([false]);
  expect(rotation.steps[0].invoke.error).toMatch(/rotation step createSecret of .* failed: .*ResourceNotFoundException/);
  await expectLastGoodKept();
});

test('ValidationException from CodeArtifact fails createSecret; the retried rotation recovers', async () => {
  env.codeArtifact.failNext('ValidationException');
  const first = await env.rotate();
  expect(first.steps.map((s) => s.invoke.ok)).toEqual([false]);
  expect(first.steps[0].invoke.error).toMatch(/ValidationException: 1 validation error detected/);
  await expectLastGoodKept();
  // WHEN Secrets Manager retries the rotation with the same token
  const retry = await env.rotate({ token: first.token });
  expect(retry.steps.every((s) => s.invoke.ok)).toBe(true);
  await expectNewGoodToken(first.token);
});

test('an invalid duration is refused by the handler before any call, and by CodeArtifact too', async () => {
  const mark = env.mark();
  const r = await env.cfn('Update', updateProps({ DurationSeconds: '600' }));
  expectFailed(r, /tokenDuration must be 0 or a whole number of seconds from 900 to 43200, got "600"/);
  expect(env.callsSince(mark)).toEqual({});
  await expectLastGoodKept();
});

test('a CodeArtifact endpoint that hangs: FAILED arrives before the Lambda timeout', async () => {
  env.codeArtifact.failNext('hang');
  // A Lambda with 9 s left: the handler keeps 5 s in reserve, so it gives up on the call after 4 s
  const started = Date.now();
  const r = await env.cfn('Update', { ...updateProps(), timeoutMs: 9000 });
  expectFailed(r, /GetAuthorizationToken .* did not answer within the handler's deadline \(4 s\)/);
  expect(r.invoke.timedOut).toBe(false);
  expect(r.responses[0].at - started).toBeLessThan(9000);
  expect(r.responses[0].at - started).toBeGreaterThanOrEqual(3900);
  await expectLastGoodKept();
});

test('a CodeArtifact endpoint that hangs during a rotation: createSecret gives up in time, nothing is staged', async () => {
  env.codeArtifact.failNext('hang');
  const token = randomUUID();
  const step = await env.rotationStep('createSecret', token, 7000);
  expect(step.invoke).toMatchObject({ ok: false, timedOut: false });
  expect(step.invoke.error).toMatch(/rotation step createSecret of .* failed: GetAuthorizationToken .* did not answer within the handler's deadline \(2 s\)/);
  expect(step.invoke.ms).toBeLessThan(7000);
  await expectLastGoodKept();
});

test('Secrets Manager unreachable between createSecret and finishSecret: the retried rotation finishes', async () => {
  // WHEN the path to Secrets Manager is cut during testSecret
  const first = await env.rotate({
    before: (step) => { if (step === 'testSecret') env.secretsProxy.fail('connection-reset', { times: Infinity }); },
    after: () => env.secretsProxy.heal(),
  });
  expect(first.steps.map((s) => [s.step, s.invoke.ok])).toEqual([['createSecret', true], ['setSecret', true], ['testSecret', false]]);
  expect(first.steps[2].invoke.error).toMatch(/GetSecretValue \(AWSPENDING\) on .* failed/);
  // THEN readers still get the last good token; the new one waits as AWSPENDING
  expect((await current()).token).toBe(good.token);
  expect((await env.stages())[first.token]).toEqual(['AWSPENDING']);
  const pending = JSON.parse((await env.value('AWSPENDING'))!.value).authorizationToken;
  // WHEN Secrets Manager retries the rotation with the same token
  const retry = await env.rotate({ token: first.token });
  expect(retry.steps.every((s) => s.invoke.ok)).toBe(true);
  await expectNewGoodToken(first.token);
  // the version was written once: the retry's createSecret kept the pending token
  expect((await current()).token).toBe(pending);
});

test('UpdateSecretVersionStage failing in finishSecret: the step fails, its retry finishes', async () => {
  const first = await env.rotate({
    before: (step) => { if (step === 'finishSecret') env.secretsProxy.fail('internal-error', { operations: ['UpdateSecretVersionStage'], times: Infinity }); },
    after: () => env.secretsProxy.heal(),
  });
  expect(first.steps.map((s) => s.invoke.ok)).toEqual([true, true, true, false]);
  expect(first.steps[3].invoke.error).toMatch(/UpdateSecretVersionStage \(AWSCURRENT\) on .* failed: InternalServiceError after 8 attempts/);
  await expectLastGoodKept().catch(() => undefined); // AWSPENDING is still on the new version
  expect((await current()).versionId).toBe(good.versionId);
  const retried = await env.rotationStep('finishSecret', first.token);
  expect(retried.invoke.ok).toBe(true);
  await expectNewGoodToken(first.token);
});

test('Secrets Manager failing PutSecretValue on deploy: FAILED names it, the last good token stays', async () => {
  env.secretsProxy.fail('internal-error', { operations: ['PutSecretValue'], times: Infinity });
  const r = await env.cfn('Update', updateProps());
  expectFailed(r, /PutSecretValue on .* failed: InternalServiceError after 8 attempts: .*; the secret keeps its previous value/);
  env.secretsProxy.heal();
  await expectLastGoodKept();
});

test('every rotation step delivered twice: one new version, AWSCURRENT moved once', async () => {
  const before = Object.keys(await env.stages()).length;
  const mark = env.mark();
  const rotation = await env.rotate({ deliveries: 2 });
  expect(rotation.steps.map((s) => [s.step, s.invoke.ok])).toEqual([
    ['createSecret', true], ['createSecret', true], ['setSecret', true], ['setSecret', true],
    ['testSecret', true], ['testSecret', true], ['finishSecret', true], ['finishSecret', true],
  ]);
  expect(Object.keys(await env.stages())).toHaveLength(before + 1);
  await expectNewGoodToken(rotation.token);
  // the second createSecret found the version written and asked for no second token
  expect(env.callsSince(mark)['codeartifact:GetAuthorizationToken']).toBe(1);
  expect((await current()).token).toBe(env.codeArtifact.lastToken);
});

test('the same Update delivered twice: two answers, one version', async () => {
  const before = Object.keys(await env.stages()).length;
  const requestId = randomUUID();
  const first = await env.cfn('Update', { ...updateProps(), requestId });
  const second = await env.cfn('Update', { ...updateProps(), requestId });
  // one answer per delivery, the same both times
  expect(env.cfnResponses.for(requestId).map((r) => r.body?.Status)).toEqual(['SUCCESS', 'SUCCESS']);
  expect(second.responses[1].body?.Data).toEqual(first.response?.Data);
  expect(Object.keys(await env.stages())).toHaveLength(before + 1);
  await expectNewGoodToken(first.response!.Data!.VersionId);
  expect(env.lambda.stdout).toMatch(/already written \(repeated delivery\)/);
});

test('an AWSPENDING version left by a crashed rotation: the retried rotation completes it', async () => {
  // GIVEN a rotation whose Lambda died after createSecret
  const token = randomUUID();
  expect((await env.rotationStep('createSecret', token)).invoke.ok).toBe(true);
  expect((await env.stages())[token]).toEqual(['AWSPENDING']);
  // WHEN Secrets Manager retries it
  const retry = await env.rotate({ token });
  expect(retry.steps.every((s) => s.invoke.ok)).toBe(true);
  await expectNewGoodToken(token);
});

test('a stale AWSPENDING version of an abandoned rotation: a new rotation takes the label over', async () => {
  // GIVEN an AWSPENDING version with an unusable value from another rotation
  const stale = await env.putValue('{"partial":', ['AWSPENDING']);
  const rotation = await env.rotate();
  expect(rotation.steps.every((s) => s.invoke.ok)).toBe(true);
  await expectNewGoodToken(rotation.token);
  expect((await env.stages())[stale] ?? []).toEqual([]);
});

test('a corrupted secret value: the rotation recovers from the configuration in the tags', async () => {
  // GIVEN someone overwrote AWSCURRENT with garbage
  const corrupt = await env.putValue('not json at all {', ['AWSCURRENT']);
  good = { versionId: corrupt, token: '' };
  const rotation = await env.rotate();
  expect(rotation.steps.every((s) => s.invoke.ok)).toBe(true);
  await expectNewGoodToken(rotation.token);
});

test('a secret without any value: the rotation recovers from the configuration in the tags', async () => {
  // GIVEN the secret's value is gone (a secret recreated without a value, tags intact)
  await env.deleteSecret();
  await env.createStackResources({ withValue: false });
  expect(await env.value()).toBeUndefined();
  const rotation = await env.rotate();
  expect(rotation.steps.map((s) => [s.step, s.invoke.ok, s.invoke.error])).toEqual([
    ['createSecret', true, undefined], ['setSecret', true, undefined], ['testSecret', true, undefined], ['finishSecret', true, undefined],
  ]);
  const now = await current();
  expect(now.versionId).toBe(rotation.token);
  expect(schemaProblems(now.value, config())).toEqual([]);
  expect(stageProblems(await env.stages(), rotation.token)).toEqual([]);
});

test('a malformed CodeArtifact response: FAILED without quoting the body, which holds a token', async () => {
  env.codeArtifact.failNext('malformed');
  const r = await env.cfn('Update', updateProps());
  expectFailed(r, /GetAuthorizationToken .* failed: .*unexpected or unreadable response \(details withheld/);
  await expectLastGoodKept();
  // the malformed body carried a token: the afterEach leak scan covers it
  expect(env.codeArtifact.calls[env.codeArtifact.calls.length - 1].outcome).toBe('malformed');
});

test('a CodeArtifact response without expiration: createSecret fails, nothing is staged', async () => {
  env.codeArtifact.failNext('no-expiration');
  const rotation = await env.rotate();
  expect(rotation.steps.map((s) => s.invoke.ok)).toEqual([false]);
  expect(rotation.steps[0].invoke.error).toMatch(/returned a response without a valid expiration/);
  await expectLastGoodKept();
});
