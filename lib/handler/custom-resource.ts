import { createHash } from 'crypto';
import * as http from 'http';
import * as https from 'https';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { SECRET_ID_PROPERTY } from '../contract';
import { isAwsError, secretsManager, send } from './aws';
import { configFromProperties } from './config';
import { Deadline } from './deadline';
import { answeredByAws, describeError, HandlerError } from './errors';
import { log } from './log';
import { printTokenIssued } from './metrics';
import { checkPropertiesMatchTags, describeOwnSecret, ownStackId } from './ownership';
import { checkResponseUrl } from './response-url';
import { issueToken } from './token';

/** CloudFormation rejects responses over 4 KiB: keep the reason well inside. */
const MAX_REASON = 1500;

/**
 * Create and Update issue a token into the secret as AWSCURRENT; Delete has nothing to undo (the
 * secret is CloudFormation's own resource). Every path answers CloudFormation, by `answerBy` (epoch
 * ms), except an event whose ResponseURL is not CloudFormation's: that one is refused unanswered.
 */
export async function onCustomResource(event: CloudFormationCustomResourceEvent, deadline: Deadline, answerBy: number): Promise<void> {
  const secretId = String(event.ResourceProperties[SECRET_ID_PROPERTY] ?? '');
  const context = { requestType: event.RequestType, logicalResourceId: event.LogicalResourceId, secretId };
  let responseUrl: URL;
  try {
    responseUrl = checkResponseUrl(event.ResponseURL, event.StackId);
  } catch (err) {
    log('ERROR', 'refused a custom-resource event', { ...context, reason: describeError(err) });
    throw err;
  }
  let status: 'SUCCESS' | 'FAILED' = 'SUCCESS';
  let reason = 'OK';
  let data: Record<string, string> | undefined;
  try {
    if (event.RequestType !== 'Delete') {
      data = await issueIntoSecret(event, secretId, deadline);
      log('INFO', 'issued a token', { ...context, expiration: data.Expiration });
    } else {
      log('INFO', 'nothing to delete: the secret is removed by CloudFormation', context);
    }
  } catch (err) {
    status = 'FAILED';
    reason = describeError(err).slice(0, MAX_REASON);
    log('ERROR', 'could not issue a token', { ...context, reason });
  }
  await respond(event, responseUrl, answerBy, { Status: status, Reason: reason, PhysicalResourceId: physicalIdOf(event, secretId), Data: data });
}

/**
 * Names the secret the token lives in. A replaced secret (a new `secretName`) gets a new id, so that
 * CloudFormation sends the old one a Delete, which has nothing to undo.
 */
function physicalIdOf(event: CloudFormationCustomResourceEvent, secretId: string): string {
  if (event.RequestType === 'Create') {
    return `codeartifact-token:${secretId}`;
  }
  const oldSecretId = event.RequestType === 'Update' ? String(event.OldResourceProperties[SECRET_ID_PROPERTY] ?? '') : secretId;
  return oldSecretId !== secretId && secretId ? `codeartifact-token:${secretId}` : event.PhysicalResourceId;
}

async function issueIntoSecret(event: CloudFormationCustomResourceEvent, secretId: string, deadline: Deadline): Promise<Record<string, string>> {
  if (!secretId) {
    throw new HandlerError(`the custom resource has no ${SECRET_ID_PROPERTY} property`);
  }
  const stackId = ownStackId();
  if (event.StackId !== stackId) {
    throw new HandlerError(`the event comes from stack ${JSON.stringify(event.StackId)}, not this handler's stack ${stackId}; nothing was written`);
  }
  const config = configFromProperties(event.ResourceProperties);
  const { meta, tokenId } = await describeOwnSecret(secretId, deadline);
  checkPropertiesMatchTags(event.ResourceProperties, meta, secretId);
  // The same event delivered twice writes the same version once: the request id names the version.
  const versionId = createHash('sha256').update(`${event.StackId}/${event.RequestId}`).digest('hex').slice(0, 64);
  if (meta.VersionIdsToStages?.[versionId]) {
    log('INFO', 'this request was already written (repeated delivery); no new token asked for', { secretId, versionId });
    return { Expiration: await storedExpiration(secretId, versionId, deadline), VersionId: versionId };
  }
  const value = await issueToken(config, secretId, tokenId, deadline);
  try {
    await send(deadline, secretsManager(), `PutSecretValue on ${secretId}`, (sdk) => new sdk.PutSecretValueCommand({
      SecretId: secretId,
      ClientRequestToken: versionId,
      SecretString: JSON.stringify(value),
    }), {
      // Only an answer from Secrets Manager says the write did not happen.
      explain: (err) => (answeredByAws(err)
        ? '; the secret keeps its previous value'
        : '; the answer was lost, so the secret holds either its previous value or this token, both valid'),
    });
  } catch (err) {
    if (!isAwsError(err, 'ResourceExistsException')) {
      throw err;
    }
    log('INFO', 'this request was already written (repeated delivery)', { secretId, versionId });
    // The token just issued was not stored: report the stored one's expiration, not this one's.
    return { Expiration: await storedExpiration(secretId, versionId, deadline), VersionId: versionId };
  }
  // The freshness metric, under the ARN DescribeSecret gave (the construct's metric names the same).
  printTokenIssued(meta.ARN ?? secretId, value.expiration, 'deploy');
  // Never the token: Data can be read with Fn::GetAtt and shows up in CloudFormation's records.
  return { Expiration: value.expiration, VersionId: versionId };
}

/** The expiration of a version this handler wrote earlier (never the token, never the value). */
async function storedExpiration(secretId: string, versionId: string, deadline: Deadline): Promise<string> {
  const stored = await send(deadline, secretsManager(), `GetSecretValue on ${secretId}`, (sdk) => new sdk.GetSecretValueCommand({
    SecretId: secretId,
    VersionId: versionId,
  }));
  let expiration: unknown;
  try {
    expiration = JSON.parse(stored.SecretString ?? '').expiration;
  } catch {
    // JSON.parse messages quote the input: say nothing about it.
  }
  if (typeof expiration !== 'string') {
    throw new HandlerError(`version ${versionId} of ${secretId} holds no expiration`);
  }
  return expiration;
}

interface ResponseFields {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason: string;
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
}

/** Each attempt to deliver the answer waits at most this long, and never past `answerBy`. */
const RESPONSE_TIMEOUT_MS = 10_000;

/**
 * PUTs the result to the pre-signed ResponseURL, retrying failures a few times, all within
 * `answerBy` (the Lambda's own end), so that a slow endpoint cannot outlive the invocation.
 */
async function respond(event: CloudFormationCustomResourceEvent, url: URL, answerBy: number, fields: ResponseFields): Promise<void> {
  const body = JSON.stringify({
    ...fields,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  });
  for (let attempt = 1; ; attempt++) {
    const left = answerBy - Date.now();
    try {
      await put(url, body, Math.min(RESPONSE_TIMEOUT_MS, Math.max(0, left)));
      return;
    } catch (err) {
      const pause = 500 * attempt;
      if (attempt >= 3 || answerBy - Date.now() < pause + 1000) {
        // Thrown so that Lambda retries the whole (idempotent) event.
        throw new HandlerError(`could not deliver the CloudFormation response after ${attempt} attempt${attempt > 1 ? 's' : ''}: ${describeError(err)}`);
      }
      await new Promise((r) => setTimeout(r, pause));
    }
  }
}

function put(target: URL, body: string, timeoutMs: number): Promise<void> {
  const transport = target.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const req = transport.request(target, {
      method: 'PUT',
      // S3 pre-signed URLs are signed without a content type.
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
      timeout: timeoutMs,
    }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode && res.statusCode < 300
        ? resolve()
        : reject(new HandlerError(`HTTP ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new HandlerError(`no answer within ${Math.round(timeoutMs / 1000)} s`)));
    req.on('error', reject);
    req.end(body);
  });
}
