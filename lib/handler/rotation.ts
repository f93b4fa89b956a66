import type { DescribeSecretCommandOutput } from '@aws-sdk/client-secrets-manager';
import type { SecretsManagerRotationEvent } from 'aws-lambda';
import { isAwsError, secretsManager, send } from './aws';
import { configFromTags } from './config';
import { Deadline } from './deadline';
import { describeError, HandlerError } from './errors';
import { log } from './log';
import { printTokenIssued } from './metrics';
import { describeOwnSecret, describeSecret } from './ownership';
import { checkSecretValue, issueToken } from './token';

const CURRENT = 'AWSCURRENT';
const PENDING = 'AWSPENDING';

/**
 * The four-step Secrets Manager rotation protocol. Each step may be delivered more than once and
 * is idempotent; until finishSecret moves AWSCURRENT, readers keep the last good token.
 *
 * The event's `ClientRequestToken` is the id of the secret version the rotation creates: it is
 * called `versionId` here, since "token" in this library is the CodeArtifact token only.
 */
export async function onRotation(event: SecretsManagerRotationEvent, deadline: Deadline): Promise<void> {
  const { SecretId: secretId, ClientRequestToken: versionId, Step: step } = event;
  const context = { step, secretId, versionId };
  try {
    switch (step) {
      case 'createSecret':
        await createSecret(secretId, versionId, deadline);
        break;
      case 'setSecret':
        // Nothing to configure: CodeArtifact issued the token, and readers take it from the secret.
        break;
      case 'testSecret':
        await testSecret(secretId, versionId, deadline);
        break;
      case 'finishSecret':
        await finishSecret(secretId, versionId, deadline);
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

function stagesOf(meta: DescribeSecretCommandOutput, versionId: string): string[] {
  return meta.VersionIdsToStages?.[versionId] ?? [];
}

/**
 * Issues a new token as AWSPENDING under the rotation's version id, from the secret's tags (which
 * others may change: the issuer role refuses a token for any configuration but the template's). A value
 * already written under that id (an earlier delivery of this step) is kept, without asking
 * CodeArtifact again; one that can no longer be used (its token expired while the rotation was
 * stuck) is a stuck rotation, see `releaseStuckVersion`.
 */
async function createSecret(secretId: string, versionId: string, deadline: Deadline): Promise<void> {
  const { meta, tokenId } = await describeOwnSecret(secretId, deadline);
  if (stagesOf(meta, versionId).includes(CURRENT)) {
    return; // this rotation already finished
  }
  const config = configFromTags(meta.Tags, secretId);
  // Secrets Manager may label the rotation's version AWSPENDING before it has a value, so only a read
  // tells whether an earlier delivery wrote it.
  const written = await readVersion(secretId, versionId, deadline);
  if (written !== undefined) {
    const problem = checkSecretValue(written);
    if (!problem) {
      return; // an earlier delivery of this step wrote a usable token
    }
    return releaseStuckVersion(secretId, versionId, problem, deadline);
  }
  const value = await issueToken(config, secretId, tokenId, deadline);
  try {
    await send(deadline, secretsManager(), `PutSecretValue on ${secretId}`, (sdk) => new sdk.PutSecretValueCommand({
      SecretId: secretId,
      ClientRequestToken: versionId,
      SecretString: JSON.stringify(value),
      VersionStages: [PENDING],
    }));
  } catch (err) {
    // A concurrent delivery of this step wrote it first.
    if (isAwsError(err, 'ResourceExistsException')) {
      return;
    }
    throw err;
  }
  // Only a token this delivery stored counts: repeated deliveries above return before this.
  printTokenIssued(meta.ARN ?? secretId, value.expiration, 'rotation');
}

/** The value of one version, or undefined when it has none yet. */
async function readVersion(secretId: string, versionId: string, deadline: Deadline): Promise<string | undefined> {
  try {
    const out = await send(deadline, secretsManager(), `GetSecretValue (version ${versionId}) on ${secretId}`, (sdk) =>
      new sdk.GetSecretValueCommand({ SecretId: secretId, VersionId: versionId }));
    return out.SecretString ?? '';
  } catch (err) {
    if (isAwsError(err, 'ResourceNotFoundException')) {
      return undefined;
    }
    throw err;
  }
}

/**
 * A stuck rotation: a crashed or interrupted rotation left its version AWSPENDING with a token that
 * has since expired, and Secrets Manager keeps retrying with the same version id, which can never
 * hold another value (a version is immutable). Removing AWSPENDING from that version is what the
 * CancelRotateSecret API reference tells users to do after a partial rotation, and a rotation must
 * leave AWSPENDING on AWSCURRENT or nowhere for the next one to start (RotateSecret API reference).
 * So the step releases the label and fails, saying so: the next scheduled rotation starts afresh
 * with a new version id, and the command in the message starts one now. AWSCURRENT keeps the last
 * good token throughout.
 */
async function releaseStuckVersion(secretId: string, versionId: string, problem: string, deadline: Deadline): Promise<never> {
  await send(deadline, secretsManager(), `UpdateSecretVersionStage (${PENDING}) on ${secretId}`, (sdk) =>
    new sdk.UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: PENDING, RemoveFromVersionId: versionId }));
  log('WARN', 'released a stuck rotation: its pending version can no longer be used', { secretId, versionId, problem });
  throw new HandlerError(`the pending version ${versionId} of an interrupted rotation can no longer be used (${problem}); `
    + `its ${PENDING} label was removed, so the next scheduled rotation starts afresh. To rotate now, run: `
    + `aws secretsmanager rotate-secret --secret-id ${secretId}`);
}

/**
 * The pending value must have the documented shape and a token that is still valid.
 *
 * When a rotation schedule is created without an immediate rotation (as this construct does),
 * Secrets Manager tests the configuration by running testSecret alone, against an AWSPENDING
 * version that has no value yet. Then the test is that the configuration in the tags is usable.
 */
async function testSecret(secretId: string, versionId: string, deadline: Deadline): Promise<void> {
  let pending;
  try {
    pending = await send(deadline, secretsManager(), `GetSecretValue (${PENDING}) on ${secretId}`, (sdk) =>
      new sdk.GetSecretValueCommand({ SecretId: secretId, VersionId: versionId, VersionStage: PENDING }));
  } catch (err) {
    if (!isAwsError(err, 'ResourceNotFoundException')) {
      throw err;
    }
    const meta = await describeSecret(secretId, deadline);
    if (!stagesOf(meta, versionId).includes(PENDING)) {
      throw new HandlerError(`version ${versionId} of ${secretId} is not ${PENDING}`);
    }
    configFromTags(meta.Tags, secretId);
    log('INFO', 'configuration test: no pending value to check yet; the configuration tags are valid', { secretId, versionId });
    return;
  }
  const problem = checkSecretValue(pending.SecretString);
  if (problem) {
    throw new HandlerError(`the pending version ${versionId} is not a usable token: ${problem}`);
  }
}

/** Moves AWSCURRENT to the new version and clears AWSPENDING, so the next rotation starts clean. */
async function finishSecret(secretId: string, versionId: string, deadline: Deadline): Promise<void> {
  const { meta } = await describeOwnSecret(secretId, deadline);
  const stages = stagesOf(meta, versionId);
  if (!stages.includes(CURRENT)) {
    if (!stages.includes(PENDING)) {
      throw new HandlerError(`version ${versionId} is not ${PENDING}; createSecret has not completed for it`);
    }
    const current = Object.entries(meta.VersionIdsToStages ?? {}).find(([, s]) => s.includes(CURRENT))?.[0];
    await send(deadline, secretsManager(), `UpdateSecretVersionStage (${CURRENT}) on ${secretId}`, (sdk) =>
      new sdk.UpdateSecretVersionStageCommand({
        SecretId: secretId,
        VersionStage: CURRENT,
        MoveToVersionId: versionId,
        RemoveFromVersionId: current,
      }));
  }
  if (stages.includes(PENDING)) {
    await send(deadline, secretsManager(), `UpdateSecretVersionStage (${PENDING}) on ${secretId}`, (sdk) =>
      new sdk.UpdateSecretVersionStageCommand({
        SecretId: secretId,
        VersionStage: PENDING,
        RemoveFromVersionId: versionId,
      }));
  }
}
