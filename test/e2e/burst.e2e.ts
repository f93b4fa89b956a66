/**
 * A stack that creates 150 tokens sends 150 Create events at once, and their rotations can fall due
 * together. The local CodeArtifact enforces GetAuthorizationToken's quota with a token bucket (40 per
 * second by default, as AWS; also 10) and the local Secrets Manager its write quota (50 per second),
 * both answering ThrottlingException beyond it. The shipped handler must get every token in, with
 * the SDK's own retries, well within its deadline.
 */
import { E2eEnv, schemaProblems } from '../local-aws';

const TOKENS = 150;
let env: E2eEnv;

beforeAll(async () => {
  env = await E2eEnv.start();
});

afterAll(async () => {
  await env?.stop();
});

afterEach(() => {
  expect(env.leaks()).toEqual([]);
});

async function deployMany(): Promise<string[]> {
  await env.reset();
  await env.createStackResources();
  return Promise.all(Array.from({ length: TOKENS }, (_, i) => env.createTokenSecret({ name: `burst-token-${i}` })));
}

describe.each([40, 10])('CodeArtifact allows %i GetAuthorizationToken per second', (perSecond) => {
  test(`${TOKENS} Create events at once all succeed, each secret holding its own new token`, async () => {
    // GIVEN 150 token secrets of one stack
    const arns = await deployMany();
    env.codeArtifact.setRate(perSecond);
    const mark = env.mark();
    // WHEN CloudFormation sends all their Create events at once
    const started = Date.now();
    const results = await Promise.all(arns.map((arn) => env.cfn('Create', { props: env.properties({ SecretId: arn }) })));
    const wallMs = Date.now() - started;
    // THEN every one answered SUCCESS, within the handler's deadline
    expect(results.map((r) => r.response?.Status ?? r.invoke.error)).toEqual(arns.map(() => 'SUCCESS'));
    expect(Math.max(...results.map((r) => r.invoke.ms))).toBeLessThan(env.handlerFunction.timeoutMs - 5000);
    // AND CodeArtifact did throttle: the quota was really in the way, and the SDK's retries got past it
    const outcomes = env.codeArtifact.calls.slice(mark.codeArtifact).map((c) => c.outcome);
    expect(outcomes.filter((o) => o === 'token issued')).toHaveLength(TOKENS);
    expect(outcomes.filter((o) => o === 'ThrottlingException').length).toBeGreaterThan(0);
    // AND no token was lost: each secret holds a valid value, and no two hold the same token
    const values = await Promise.all(arns.map((arn) => env.value('AWSCURRENT', arn)));
    for (const v of values) expect(schemaProblems(v?.value, env.expectedValue(43200))).toEqual([]);
    expect(new Set(values.map((v) => JSON.parse(v!.value).authorizationToken)).size).toBe(TOKENS);
    // the quota's floor: no faster than 150 / perSecond seconds, less the bucket's first second
    expect(wallMs).toBeGreaterThanOrEqual(((TOKENS - perSecond) / perSecond) * 1000 - 250);
    console.log(`burst of ${TOKENS} Creates at ${perSecond}/s: ${(wallMs / 1000).toFixed(2)} s (quota floor ${(TOKENS / perSecond).toFixed(2)} s), `
      + `${outcomes.filter((o) => o === 'ThrottlingException').length} throttled requests`);
  }, 180_000);
});

test(`${TOKENS} rotations at once all finish, each with a new token`, async () => {
  // GIVEN 150 deployed tokens
  const arns = await deployMany();
  env.codeArtifact.setRate(1000);
  const created = await Promise.all(arns.map((arn) => env.cfn('Create', { props: env.properties({ SecretId: arn }) })));
  expect(created.every((r) => r.response?.Status === 'SUCCESS')).toBe(true);
  env.codeArtifact.setRate(40);
  const before = await Promise.all(arns.map((arn) => env.value('AWSCURRENT', arn)));
  // WHEN all of them rotate at once
  const rotations = await Promise.all(arns.map((secretId) => env.rotate({ secretId })));
  // THEN every step of every rotation succeeded, and each secret's AWSCURRENT moved to its new version
  expect(rotations.filter((r) => !r.steps.every((s) => s.invoke.ok)).map((r) => r.steps.find((s) => !s.invoke.ok)?.invoke.error)).toEqual([]);
  const after = await Promise.all(arns.map((arn) => env.value('AWSCURRENT', arn)));
  expect(after.map((v) => v!.versionId)).toEqual(rotations.map((r) => r.token));
  expect(after.every((v, i) => JSON.parse(v!.value).authorizationToken !== JSON.parse(before[i]!.value).authorizationToken)).toBe(true);
}, 180_000);
