/**
 * The whole lifecycle on the local AWS, with the handler asset as shipped. Also writes
 * test/e2e/API_CALLS.md from the calls the handler made.
 */
import * as path from 'path';
import { ACCOUNT, E2eEnv, leakProblems, LifecycleReport, REGION, runLifecycle, writeApiCalls } from '../local-aws';

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

/** The EMF lines the shipped handler printed: whole stdout lines that are JSON with an `_aws` member. */
function emfLines(stdout: string): any[] {
  return stdout.split('\n').filter((l) => l.startsWith('{') && l.includes('"_aws"')).map((l) => JSON.parse(l));
}

test('one EMF freshness line per issued token, under the dimension the construct\'s alarm reads, with no token text', () => {
  // GIVEN the alarm the example app synthesized (token.alarmOnStaleToken)
  const alarms = Object.values<any>(env.template.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
  expect(alarms).toHaveLength(1);
  const alarm = env.resolve(alarms[0].Properties);
  expect(alarm.Dimensions).toEqual([{ Name: 'SecretArn', Value: env.secretArn }]);
  // WHEN reading what the handler printed
  const emf = emfLines(env.lambda.stdout);
  // THEN one line per issue (the deploys and each rotation's createSecret), in CloudWatch EMF shape
  const issuing = report.steps.filter((s) => s.kind !== 'delete');
  expect(emf).toHaveLength(issuing.length);
  expect(emf).toHaveLength(env.codeArtifact.issued.length);
  for (const [i, line] of emf.entries()) {
    expect(line._aws.CloudWatchMetrics).toEqual([{
      Namespace: alarm.Namespace,
      Dimensions: [['SecretArn']],
      Metrics: [{ Name: alarm.MetricName, Unit: 'Count' }, { Name: 'TokenValiditySeconds', Unit: 'Seconds' }],
    }]);
    expect(typeof line._aws.Timestamp).toBe('number');
    // the dimension's value is what the alarm watches: the secret's ARN
    expect(line.SecretArn).toBe(env.secretArn);
    expect(line.TokensIssued).toBe(1);
    expect(line.TokenValiditySeconds).toBeGreaterThan(issuing[i].durationSeconds! - 120);
    expect(line.TokenValiditySeconds).toBeLessThanOrEqual(issuing[i].durationSeconds! + 1);
    expect(line.expiration).toBe(issuing[i].expiration);
  }
  expect(emf.map((l) => l.issuedBy)).toEqual(issuing.map((s) => (s.kind === 'rotation' ? 'rotation' : 'deploy')));
  expect(leakProblems(env.codeArtifact.issued, [['EMF lines', JSON.stringify(emf)]])).toEqual([]);
});

/**
 * EventBridge's matching for the patterns this library writes: every key of the pattern must be in
 * the event; an array lists the allowed exact values (an event array matches when one element does);
 * an object descends (EventBridge user guide, "Event patterns").
 */
function matches(pattern: any, event: any): boolean {
  return Object.entries(pattern).every(([key, want]) => {
    const got = event?.[key];
    if (Array.isArray(want)) {
      return [got].flat().some((g) => want.some((w) => typeof w !== 'object' && w === g));
    }
    return typeof want === 'object' && want !== null && matches(want, got);
  });
}

/**
 * A RotationFailed event as EventBridge delivers it: a CloudTrail-recorded AWS service event of
 * Secrets Manager (user guide, "AWS CloudTrail entries for Secrets Manager", log entries for rotation).
 */
const rotationFailedEvent = (secretArn: string, eventName = 'RotationFailed') => ({
  'version': '0',
  'id': '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'AWS Service Event via CloudTrail',
  'source': 'aws.secretsmanager',
  'account': ACCOUNT,
  'time': '2026-11-23T05:00:00Z',
  'region': REGION,
  'resources': [],
  'detail': {
    eventVersion: '1.08',
    userIdentity: { accountId: ACCOUNT, invokedBy: 'secretsmanager.amazonaws.com' },
    eventTime: '2026-11-23T05:00:00Z',
    eventSource: 'secretsmanager.amazonaws.com',
    eventName,
    awsRegion: REGION,
    sourceIPAddress: 'secretsmanager.amazonaws.com',
    userAgent: 'secretsmanager.amazonaws.com',
    requestParameters: null,
    responseElements: null,
    additionalEventData: { SecretId: secretArn },
    eventID: 'b1bd8f8c-0b2d-4a1e-9f7b-0c6f6b8f1a2c',
    readOnly: false,
    eventType: 'AwsServiceEvent',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
  },
});

test('onRotationFailed\'s pattern matches a RotationFailed event of this secret, and no other event', () => {
  // GIVEN the rule the example app synthesized (token.onRotationFailed)
  const rules = Object.values<any>(env.template.Resources).filter((r) => r.Type === 'AWS::Events::Rule');
  expect(rules).toHaveLength(1);
  const pattern = env.resolve(rules[0].Properties.EventPattern);
  // THEN
  expect(matches(pattern, rotationFailedEvent(env.secretArn))).toBe(true);
  expect(matches(pattern, rotationFailedEvent(env.secretArn, 'RotationSucceeded'))).toBe(false);
  expect(matches(pattern, rotationFailedEvent(`${env.secretArn.slice(0, -6)}XXXXXX`))).toBe(false);
  expect(matches(pattern, { ...rotationFailedEvent(env.secretArn), 'detail-type': 'AWS API Call via CloudTrail' })).toBe(false);
});

test('the human-readable account and API_CALLS.md are written', () => {
  expect(lines.join('\n')).toMatch(/Lifecycle passed\./);
  writeApiCalls(report, path.join(__dirname, 'API_CALLS.md'));
});
