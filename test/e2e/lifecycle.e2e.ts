/**
 * The whole lifecycle on the local AWS, with the handler asset as shipped. Also writes
 * test/e2e/API_CALLS.md from the calls the handler made.
 */
import * as path from 'path';
import { E2eEnv, LifecycleReport, runLifecycle, writeApiCalls } from '../local-aws';

let env: E2eEnv;
let report: LifecycleReport;
const lines: string[] = [];

beforeAll(async () => {
  env = await E2eEnv.start();
  report = await runLifecycle({ env, print: (l) => lines.push(l) });
});

afterAll(async () => {
  await env?.stop();
});

test('every step of Create, 3 rotations, Update, rotation, Delete, Delete of a gone secret passes its checks', () => {
  // THEN: every step ran, in order, and none found a problem
  expect(report.steps.map((s) => s.name)).toEqual([
    'Create (deploy)',
    'Rotation 1 (scheduled)',
    'Rotation 2 (scheduled)',
    'Rotation 3 (scheduled)',
    'Update (durationSeconds 43200 -> 3600)',
    'Rotation after the update (reads the new duration from the tags)',
    'Delete (secret still there)',
    'Delete again (secret already gone)',
  ]);
  expect(report.steps.filter((s) => s.problems.length > 0).map((s) => `${s.name}: ${s.problems.join('; ')}`)).toEqual([]);
  expect(report.ok).toBe(true);
});

test('each deploy and rotation issued a new token with the configured lifetime', () => {
  const issuing = report.steps.filter((s) => s.kind !== 'delete');
  // One GetAuthorizationToken each, a distinct expiry each, the duration from the properties or tags
  expect(issuing.map((s) => s.calls['codeartifact:GetAuthorizationToken'])).toEqual(issuing.map(() => 1));
  expect(new Set(issuing.map((s) => s.expiration)).size).toBe(issuing.length);
  expect(issuing.map((s) => s.durationSeconds)).toEqual([43200, 43200, 43200, 43200, 3600, 3600]);
  for (const s of issuing) {
    const left = (Date.parse(s.expiration!) - Date.now()) / 1000;
    expect(left).toBeGreaterThan(s.durationSeconds! - 120);
    expect(left).toBeLessThanOrEqual(s.durationSeconds! + 1);
  }
  // Every call went to the configured domain, owner and region, signed for CodeArtifact
  expect(new Set(env.codeArtifact.calls.map((c) => `${c.domainOwner}/${c.domain}/${c.signedFor}`)))
    .toEqual(new Set([`123456789012/${env.domainName}/eu-west-1/codeartifact`]));
});

test('each issue assumes the issuer role once, with a session policy for the token\'s own repository; 4 calls per deploy, 9 per rotation', () => {
  const issuing = report.steps.filter((s) => s.kind !== 'delete');
  expect(issuing.map((s) => s.calls['sts:AssumeRole'])).toEqual(issuing.map(() => 1));
  expect(issuing.map((s) => Object.values(s.calls).reduce((a, b) => a + b, 0))).toEqual([4, 9, 9, 9, 4, 9]);
  const issuerRoleArn = env.handlerFunction.environment.ISSUER_ROLE_ARN;
  expect(env.sts.calls.map((c) => [c.operation, c.roleArn, c.outcome])).toEqual(env.sts.calls.map(() => ['AssumeRole', issuerRoleArn, 'assumed']));
  for (const call of env.sts.calls) {
    const read = call.policy.Statement.find((st: any) => [st.Action].flat().includes('codeartifact:ReadFromRepository'));
    expect(read.Resource).toEqual([`arn:aws:codeartifact:eu-west-1:123456789012:repository/${env.domainName}/shared`]);
  }
});

test('Delete makes no API calls and succeeds also when the secret is gone', () => {
  const deletes = report.steps.filter((s) => s.kind === 'delete');
  expect(deletes.map((s) => [s.cfnStatus, s.calls])).toEqual([['SUCCESS', {}], ['SUCCESS', {}]]);
  expect(deletes[1].stages).toEqual({});
});

test('no token text in the handler output or any CloudFormation response', () => {
  expect(env.codeArtifact.issued.length).toBe(6);
  expect(report.leaks).toEqual([]);
  expect(env.leaks()).toEqual([]);
  // The scan looks where the handler writes: it did write there
  expect(env.lambda.stdout).toMatch(/"message":"issued a token"/);
  expect(env.cfnResponses.received.length).toBe(4);
});

test('the human-readable account and API_CALLS.md are written', () => {
  expect(lines.join('\n')).toMatch(/Lifecycle passed\./);
  writeApiCalls(report, path.join(__dirname, 'API_CALLS.md'));
});
