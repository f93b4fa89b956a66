/**
 * The handler as a confused deputy, and rotations that get stuck, on the local AWS with the shipped
 * handler: a principal who may invoke the function and tag secrets tries to make it write a token
 * into a secret of theirs, or a token over an unrelated secret, or make it send a request to a host
 * of theirs; and a rotation whose pending token expired while it was stuck.
 */
import { randomUUID } from 'crypto';
import * as http from 'http';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { withDeployedToken } from './deployed-token';
import { E2eEnv, STACK_ID } from '../local-aws';

const local = withDeployedToken();
let env: E2eEnv;
beforeEach(() => { env = local.env; });

/** A database password an attacker wants overwritten, tagged with our stack tag and our token configuration (anyone with TagResource can). */
async function foreignSecret(): Promise<string> {
  const ours = env.resolve(env.template.Resources[env.secretLogicalId].Properties.Tags) as Array<{ Key: string; Value: string }>;
  const out = await env.sm.send(new CreateSecretCommand({
    Name: `prod/db-password-${randomUUID()}`,
    SecretString: 'hunter2-the-database-password',
    Tags: ours, // cdk-codeartifact-token:stack = this stack's id, and the configuration tags; not CloudFormation's
  }));
  return out.ARN!;
}

const valueOf = async (arn: string) => (await env.sm.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString;

test('a hand-made Create naming a foreign secret tagged with our stack tag: FAILED, nothing written, no token asked for', async () => {
  // GIVEN
  const arn = await foreignSecret();
  const mark = env.mark();
  // WHEN
  const r = await env.cfn('Create', { props: env.properties({ SecretId: arn }) });
  // THEN
  expect(r.response?.Status).toBe('FAILED');
  expect(r.response?.Reason).toBe(`secret ${arn} is not a token secret of this stack (${STACK_ID}): tag aws:cloudformation:stack-id is null, tag aws:cloudformation:logical-id is null; nothing was written`);
  expect(await valueOf(arn)).toBe('hunter2-the-database-password');
  expect(env.callsSince(mark)).toEqual({ 'secretsmanager:DescribeSecret': 1 });
});

test('a rotation event for that foreign secret: every writing step fails, nothing written', async () => {
  const arn = await foreignSecret();
  const mark = env.mark();
  const versionId = randomUUID();
  const results = [];
  for (const step of ['createSecret', 'finishSecret']) {
    results.push(await env.lambda.invoke({ SecretId: arn, ClientRequestToken: versionId, Step: step }, 10_000));
  }
  expect(results.map((r) => r.ok)).toEqual([false, false]);
  for (const r of results) expect(r.error).toMatch(/is not a token secret of this stack .*tag aws:cloudformation:stack-id is null, tag aws:cloudformation:logical-id is null; nothing was written/);
  expect(await valueOf(arn)).toBe('hunter2-the-database-password');
  const calls = env.callsSince(mark);
  expect(Object.keys(calls).filter((k) => !k.endsWith(':DescribeSecret'))).toEqual([]);
});

test('a hostile ResponseURL (an internal host, plain http): refused without a request', async () => {
  // GIVEN a listener standing in for a host inside the VPC
  const hits: string[] = [];
  const hostile = http.createServer((req, res) => { hits.push(`${req.method} ${req.url}`); res.end(); });
  await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
  const port = (hostile.address() as { port: number }).port;
  try {
    const mark = env.mark();
    // WHEN
    const r = await env.cfn('Create', { responseUrl: `http://127.0.0.1:${port}/internal/admin` });
    // THEN
    expect(r.invoke.ok).toBe(false);
    expect(r.invoke.error).toMatch(new RegExp(`the event's ResponseURL \\(http://127\\.0\\.0\\.1:${port}\\) is not an https URL on CloudFormation's response bucket in eu-west-1`));
    expect(hits).toEqual([]);
    expect(env.callsSince(mark)).toEqual({});
  } finally {
    await new Promise((resolve) => hostile.close(resolve));
  }
});

test('a stuck rotation (its pending token expired) releases AWSPENDING and says what to run; the next rotation succeeds', async () => {
  // GIVEN an interrupted rotation left version V pending with a token that has since expired
  const current = (await env.value())!;
  const expired = { ...JSON.parse(current.value), expiration: new Date(Date.now() - 3600_000).toISOString() };
  const stuck = await env.putValue(JSON.stringify(expired), ['AWSPENDING']);
  // WHEN Secrets Manager retries that rotation, with the same version id
  const retry = await env.rotate({ token: stuck });
  // THEN createSecret fails, saying what happened and what to run, AWSPENDING is gone, AWSCURRENT unchanged
  expect(retry.steps.map((s) => [s.step, s.invoke.ok])).toEqual([['createSecret', false]]);
  expect(retry.steps[0].invoke.error).toMatch(new RegExp(`the pending version ${stuck} of an interrupted rotation can no longer be used \\(the token expires at .*\\); `
    + `its AWSPENDING label was removed, so the next scheduled rotation starts afresh\\. To rotate now, run: aws secretsmanager rotate-secret --secret-id ${env.secretArn}`));
  const stages = await env.stages();
  expect(Object.entries(stages).filter(([, s]) => s.includes('AWSPENDING'))).toEqual([]);
  expect((await env.value())!.versionId).toBe(current.versionId);
  // AND the next rotation (a new version id) goes through
  const next = await env.rotate();
  expect(next.steps.every((s) => s.invoke.ok)).toBe(true);
  expect((await env.value())!.versionId).toBe(next.token);
});
