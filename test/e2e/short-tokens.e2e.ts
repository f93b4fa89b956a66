/**
 * A 15-minute token (integ/integ.short-tokens.ts) refreshed the way its EventBridge Scheduler
 * schedule does it: RotateSecret with the schedule's target Input, sent to the local Secrets Manager,
 * which then runs the four rotation steps in the shipped handler (moto_server.py, rotation-invoker.ts).
 * Meanwhile a reader reads the secret without pause.
 */
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { deriveRotation, intervalMinutes, MIN_VALIDITY_LEFT_MINUTES, worstCaseValiditySeconds } from '../../lib/validation';
import { E2eEnv, RotationInvocation, SHORT_OUT, SHORT_STACK, STEPS } from '../local-aws';

const DURATION_SECONDS = 900;

interface Read {
  readonly at: number;
  readonly versionId: string;
  readonly issuedAt: number;
  readonly expiration: number;
  readonly durationSeconds: number;
}
interface Tick {
  readonly startedAt: number;
  readonly versionId: string;
  readonly steps: RotationInvocation[];
  readonly input: Record<string, any>;
  readonly stages: Record<string, string[]>;
}

let env: E2eEnv;
let deployedAt: number;
const reads: Read[] = [];
const ticks: Tick[] = [];

beforeAll(async () => {
  env = await E2eEnv.start({ cdkOut: SHORT_OUT, stackName: SHORT_STACK });
  await env.createStackResources();
  deployedAt = Date.now();
  const create = await env.cfn('Create');
  if (create.response?.Status !== 'SUCCESS') throw new Error(`Create failed: ${JSON.stringify(create.response)}`);

  // WHEN: three ticks of the schedule, while a reader reads the current token every few milliseconds
  let reading = true;
  const reader = (async () => {
    while (reading) {
      const v = await env.value();
      if (!v) throw new Error('the reader found no AWSCURRENT value');
      {
        const value = JSON.parse(v.value);
        reads.push({
          at: Date.now(),
          versionId: v.versionId,
          issuedAt: Date.parse(value.issuedAt),
          expiration: Date.parse(value.expiration),
          durationSeconds: value.durationSeconds,
        });
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  for (let i = 0; i < 3; i++) {
    const startedAt = Date.now();
    const r = await env.scheduledRotation();
    ticks.push({ startedAt, ...r, stages: await env.stages() });
    await new Promise((w) => setTimeout(w, 300)); // ticks are minutes apart: let the reader read between them
  }
  reading = false;
  await reader;
});

afterAll(async () => {
  await env?.stop();
});

test('the schedule ticks every 5 minutes, which leaves a 15-minute token at least 5 minutes at any read', () => {
  const schedule = env.schedulerSchedule();
  const plan = deriveRotation(DURATION_SECONDS);
  expect(schedule.Properties.ScheduleExpression).toBe(`rate(${intervalMinutes(plan)} minutes)`);
  expect(intervalMinutes(plan)).toBe(5);
  expect(worstCaseValiditySeconds(DURATION_SECONDS, plan)).toBe(MIN_VALIDITY_LEFT_MINUTES * 60);
  expect(Object.values<any>(env.template.Resources).filter((r) => r.Type === 'AWS::SecretsManager::RotationSchedule')).toEqual([]);
});

test('each tick calls RotateSecret with the secret, the handler and rules Secrets Manager accepts, and no version id of its own', () => {
  for (const tick of ticks) {
    expect(tick.input).toEqual({
      SecretId: env.secretArn,
      RotationLambdaARN: `arn:aws:lambda:eu-west-1:123456789012:function:${env.handlerFunction.logicalId}`,
      RotationRules: { ScheduleExpression: 'rate(4 hours)', Duration: '1h' },
    });
  }
  // every tick started a rotation of its own: distinct version ids, each made by the SDK
  expect(new Set(ticks.map((t) => t.versionId)).size).toBe(3);
});

test('each tick runs the four steps in the handler with the secret\'s ARN and a new version, all passing', () => {
  for (const tick of ticks) {
    expect(tick.steps.map((s) => [s.event.Step, s.event.SecretId, s.event.ClientRequestToken, s.result.ok]))
      .toEqual(STEPS.map((step) => [step, env.secretArn, tick.versionId, true]));
  }
  // one token issued by the deploy, and one by each tick's createSecret
  expect(env.codeArtifact.calls.length).toBe(4);
});

test('after each tick the new version is AWSCURRENT, holds the new token, and AWSPENDING is gone, so the next tick can start', () => {
  expect(ticks.map((t) => reads.some((r) => r.versionId === t.versionId))).toEqual([true, true, true]);
  for (const tick of ticks) {
    expect(tick.stages[tick.versionId]).toEqual(['AWSCURRENT']);
    expect(Object.values(tick.stages).flat()).not.toContain('AWSPENDING');
  }
});

test('the first tick turned rotation on with the handler and the fallback rules, with no RotationSchedule resource', async () => {
  const described = await env.sm.send(new DescribeSecretCommand({ SecretId: env.secretArn }));
  expect(described.RotationEnabled).toBe(true);
  expect(described.RotationLambdaARN).toBe(ticks[0].input.RotationLambdaARN);
  expect(described.RotationRules).toEqual({ ScheduleExpression: 'rate(4 hours)', Duration: '1h' });
});

test('a reader always gets a whole 15-minute token no older than the previous tick: never a pending or expired one', () => {
  expect(reads.length).toBeGreaterThan(10);
  const triggers = [deployedAt, ...ticks.map((t) => t.startedAt)];
  const issuedVersions = new Set(ticks.map((t) => t.versionId));
  for (const read of reads) {
    expect(read.durationSeconds).toBe(DURATION_SECONDS);
    expect(read.expiration - read.issuedAt).toBeGreaterThanOrEqual(DURATION_SECONDS * 1000 - 1000);
    // the token read was issued at or after the trigger before the latest one: its age at any read is
    // at most one interval plus the rotation's own time, which is what the guarantee counts
    const latest = triggers.filter((t) => t <= read.at).length - 1;
    const floor = triggers[Math.max(0, latest - 1)];
    expect(read.issuedAt).toBeGreaterThanOrEqual(floor - 1000);
    expect(read.expiration - read.at).toBeGreaterThan(DURATION_SECONDS * 1000 - (read.at - floor) - 1000);
    // only finished versions are ever read: the deploy's, or a tick's after its finishSecret
    expect(issuedVersions.has(read.versionId) || read.versionId === reads[0].versionId).toBe(true);
  }
  // the reader saw every tick's token become current
  expect(new Set(reads.map((r) => r.versionId)).size).toBe(4);
});

test('no token text in the handler output', () => {
  expect(env.leaks()).toEqual([]);
});
