import type { DescribeSecretCommandOutput } from '@aws-sdk/client-secrets-manager';
import type { SecretsManagerRotationEvent } from 'aws-lambda';
import { configFromTags } from './config';
import { Deadline } from './deadline';
import { describeError, HandlerError, isAwsError } from './errors';
import { log } from './log';
import { secretsManager } from './secrets';
import { checkSecretValue, issueToken } from './token';

const CURRENT = 'AWSCURRENT';
const PENDING = 'AWSPENDING';

/**
 * The four-step Secrets Manager rotation protocol. Each step may be delivered more than once and
 * is idempotent; until finishSecret moves AWSCURRENT, readers keep the last good token.
 */
export async function onRotation(event: SecretsManagerRotationEvent, deadline: Deadline): Promise<void> {
  const { SecretId: secretId, ClientRequestToken: token, Step: step } = event;
  const context = { step, secretId, versionId: token };
  try {
    switch (step) {
      case 'createSecret':
        await createSecret(secretId, token, deadline);
        break;
      case 'setSecret':
        // Nothing to configure: CodeArtifact issued the token, and readers take it from the secret.
        break;
      case 'testSecret':
        await testSecret(secretId, token, deadline);
        break;
      case 'finishSecret':
        await finishSecret(secretId, token, deadline);
        break;
      default:
        throw new HandlerError(`unknown rotation step ${JSON.stringify(step)}`);
    }
    log('INFO', `rotation step ${step} done`, context);
  } catch (err) {
    const reason = describeError(err);
    log('ERROR', `rotation step ${step} failed; AWSCURRENT still holds the last good token`, { ...context, reason });
    throw new HandlerError(`rotation step ${step} of ${secretId} failed: ${reason}`);
  }
}

async function describe(secretId: string, deadline: Deadline): Promise<DescribeSecretCommandOutput> {
  const sm = secretsManager();
  return call(`DescribeSecret on ${secretId}`, deadline, (abortSignal) =>
    sm.client.send(new sm.sdk.DescribeSecretCommand({ SecretId: secretId }), { abortSignal }));
}

async function call<T>(what: string, deadline: Deadline, fn: (s: AbortSignal) => Promise<T>): Promise<T> {
  try {
    return await deadline.run(what, fn);
  } catch (err) {
    throw new HandlerError(`${what} failed: ${describeError(err)}`);
  }
}

function stagesOf(meta: DescribeSecretCommandOutput, versionId: string): string[] {
  return meta.VersionIdsToStages?.[versionId] ?? [];
}

/** Issues a new token as AWSPENDING under the rotation's version id, from the secret's tags. */
async function createSecret(secretId: string, token: string, deadline: Deadline): Promise<void> {
  const meta = await describe(secretId, deadline);
  if (stagesOf(meta, token).includes(CURRENT)) {
    return; // this rotation already finished
  }
  const config = configFromTags(meta.Tags, secretId);
  const value = await issueToken(config, deadline);
  const sm = secretsManager();
  try {
    await deadline.run(`PutSecretValue on ${secretId}`, (abortSignal) => sm.client.send(new sm.sdk.PutSecretValueCommand({
      SecretId: secretId,
      ClientRequestToken: token,
      SecretString: JSON.stringify(value),
      VersionStages: [PENDING],
    }), { abortSignal }));
  } catch (err) {
    // A repeated createSecret: this version already holds the token an earlier delivery wrote.
    if (isAwsError(err, 'ResourceExistsException')) {
      return;
    }
    throw new HandlerError(`PutSecretValue on ${secretId} failed: ${describeError(err)}`);
  }
}

/**
 * The pending value must have the documented shape and a token that is still valid.
 *
 * When a rotation schedule is created without an immediate rotation (as this construct does),
 * Secrets Manager tests the configuration by running testSecret alone, against an AWSPENDING
 * version that has no value yet. Then the test is that the configuration in the tags is usable.
 */
async function testSecret(secretId: string, token: string, deadline: Deadline): Promise<void> {
  const sm = secretsManager();
  let pending;
  try {
    pending = await deadline.run(`GetSecretValue (${PENDING}) on ${secretId}`, (abortSignal) =>
      sm.client.send(new sm.sdk.GetSecretValueCommand({ SecretId: secretId, VersionId: token, VersionStage: PENDING }), { abortSignal }));
  } catch (err) {
    if (!isAwsError(err, 'ResourceNotFoundException')) {
      throw new HandlerError(`GetSecretValue (${PENDING}) on ${secretId} failed: ${describeError(err)}`);
    }
    const meta = await describe(secretId, deadline);
    if (!stagesOf(meta, token).includes(PENDING)) {
      throw new HandlerError(`version ${token} of ${secretId} is not ${PENDING}`);
    }
    configFromTags(meta.Tags, secretId);
    log('INFO', 'configuration test: no pending value to check yet; the configuration tags are valid', { secretId, versionId: token });
    return;
  }
  const problem = checkSecretValue(pending.SecretString);
  if (problem) {
    throw new HandlerError(`the pending version ${token} is not a usable token: ${problem}`);
  }
}

/** Moves AWSCURRENT to the new version and clears AWSPENDING, so the next rotation starts clean. */
async function finishSecret(secretId: string, token: string, deadline: Deadline): Promise<void> {
  const sm = secretsManager();
  const meta = await describe(secretId, deadline);
  const stages = stagesOf(meta, token);
  if (!stages.includes(CURRENT)) {
    if (!stages.includes(PENDING)) {
      throw new HandlerError(`version ${token} is not ${PENDING}; createSecret has not completed for it`);
    }
    const current = Object.entries(meta.VersionIdsToStages ?? {}).find(([, s]) => s.includes(CURRENT))?.[0];
    await call(`UpdateSecretVersionStage (${CURRENT}) on ${secretId}`, deadline, (abortSignal) =>
      sm.client.send(new sm.sdk.UpdateSecretVersionStageCommand({
        SecretId: secretId,
        VersionStage: CURRENT,
        MoveToVersionId: token,
        RemoveFromVersionId: current,
      }), { abortSignal }));
  }
  if (stages.includes(PENDING)) {
    await call(`UpdateSecretVersionStage (${PENDING}) on ${secretId}`, deadline, (abortSignal) =>
      sm.client.send(new sm.sdk.UpdateSecretVersionStageCommand({
        SecretId: secretId,
        VersionStage: PENDING,
        RemoveFromVersionId: token,
      }), { abortSignal }));
  }
}
