import type { CloudFormationCustomResourceEvent, Context, SecretsManagerRotationEvent } from 'aws-lambda';
import { onCustomResource } from './custom-resource';
import { Deadline } from './deadline';
import { HandlerError } from './errors';
import { log } from './log';
import { onRotation } from './rotation';

/** The answer to CloudFormation must be sent before the Lambda's own end, with this to spare. */
const ANSWER_MARGIN_MS = 500;

/**
 * The one handler of a stack: CloudFormation custom-resource events (deploy-time issue) and Secrets
 * Manager rotation events (scheduled refresh), told apart by their shape. Anything else (an empty
 * event, a scheduled EventBridge event, a test invoke) is refused with one log line.
 */
export async function handler(event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<void> {
  const remaining = context.getRemainingTimeInMillis();
  const deadline = Deadline.fromRemaining(remaining);
  if (isRotationEvent(event)) {
    return onRotation(event, deadline);
  }
  if (isCustomResourceEvent(event)) {
    return onCustomResource(event, deadline, Date.now() + remaining - ANSWER_MARGIN_MS);
  }
  const shape = event === null || typeof event !== 'object' ? String(event === null ? 'null' : typeof event) : `an object with keys ${JSON.stringify(Object.keys(event).slice(0, 10))}`;
  log('ERROR', 'not a CloudFormation custom-resource event nor a Secrets Manager rotation event: ignored', { eventShape: shape });
  throw new HandlerError(`this function handles CloudFormation custom-resource events and Secrets Manager rotation events only; got ${shape}`);
}

function isRotationEvent(e: unknown): e is SecretsManagerRotationEvent {
  const r = e as Partial<SecretsManagerRotationEvent> | null;
  return typeof r === 'object' && r !== null && typeof r.Step === 'string' && typeof r.SecretId === 'string' && typeof r.ClientRequestToken === 'string';
}

function isCustomResourceEvent(e: unknown): e is CloudFormationCustomResourceEvent {
  const c = e as Partial<CloudFormationCustomResourceEvent> | null;
  return typeof c === 'object' && c !== null && ['Create', 'Update', 'Delete'].includes(c.RequestType as string)
    && typeof c.ResponseURL === 'string' && typeof c.StackId === 'string' && typeof c.RequestId === 'string'
    && typeof c.LogicalResourceId === 'string' && typeof c.ResourceProperties === 'object' && c.ResourceProperties !== null;
}
