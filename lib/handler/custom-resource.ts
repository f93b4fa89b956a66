import { createHash } from 'crypto';
import * as http from 'http';
import * as https from 'https';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { SECRET_ID_PROPERTY } from '../contract';
import { isAwsError, secretsManager, send } from './aws';
import { configFromProperties } from './config';
import { Deadline } from './deadline';
import { describeError, HandlerError } from './errors';
import { log } from './log';
import { issueToken } from './token';

/** CloudFormation rejects responses over 4 KiB: keep the reason well inside. */
const MAX_REASON = 1500;

/**
 * Create and Update issue a token into the secret as AWSCURRENT; Delete has nothing to undo (the
 * secret is CloudFormation's own resource). Every path answers CloudFormation.
 */
export async function onCustomResource(event: CloudFormationCustomResourceEvent, deadline: Deadline): Promise<void> {
  const secretId = String(event.ResourceProperties[SECRET_ID_PROPERTY] ?? '');
  const physicalId = event.RequestType === 'Create' ? `codeartifact-token:${secretId}` : event.PhysicalResourceId;
  const context = { requestType: event.RequestType, logicalResourceId: event.LogicalResourceId, secretId };
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
  await respond(event, { Status: status, Reason: reason, PhysicalResourceId: physicalId, Data: data });
}

async function issueIntoSecret(event: CloudFormationCustomResourceEvent, secretId: string, deadline: Deadline): Promise<Record<string, string>> {
  if (!secretId) {
    throw new HandlerError(`the custom resource has no ${SECRET_ID_PROPERTY} property`);
  }
  const config = configFromProperties(event.ResourceProperties);
  const value = await issueToken(config, secretId, deadline);
  // The same event delivered twice writes the same version once: the request id names the version.
  const versionId = createHash('sha256').update(`${event.StackId}/${event.RequestId}`).digest('hex').slice(0, 64);
  try {
    await send(deadline, secretsManager(), `PutSecretValue on ${secretId}`, (sdk) => new sdk.PutSecretValueCommand({
      SecretId: secretId,
      ClientRequestToken: versionId,
      SecretString: JSON.stringify(value),
    }), { explain: () => '; the secret keeps its previous value' });
  } catch (err) {
    if (!isAwsError(err, 'ResourceExistsException')) {
      throw err;
    }
    log('INFO', 'this request was already written (repeated delivery)', { secretId, versionId });
    // The token just issued was not stored: report the stored one's expiration, not this one's.
    return { Expiration: await storedExpiration(secretId, versionId, deadline), VersionId: versionId };
  }
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

/** PUTs the result to the pre-signed ResponseURL, retrying network failures a few times. */
async function respond(event: CloudFormationCustomResourceEvent, fields: ResponseFields): Promise<void> {
  const body = JSON.stringify({
    ...fields,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  });
  for (let attempt = 1; ; attempt++) {
    try {
      await put(event.ResponseURL, body);
      return;
    } catch (err) {
      if (attempt >= 3) {
        // Thrown so that Lambda retries the whole (idempotent) event.
        throw new HandlerError(`could not deliver the CloudFormation response: ${describeError(err)}`);
      }
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

function put(url: string, body: string): Promise<void> {
  const target = new URL(url);
  const transport = target.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const req = transport.request(target, {
      method: 'PUT',
      // S3 pre-signed URLs are signed without a content type.
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
      timeout: 10000,
    }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode && res.statusCode < 300
        ? resolve()
        : reject(new HandlerError(`HTTP ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new HandlerError('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}
