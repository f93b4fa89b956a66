import type { CloudFormationCustomResourceEvent, Context, SecretsManagerRotationEvent } from 'aws-lambda';
import { onCustomResource } from './custom-resource';
import { Deadline } from './deadline';
import { onRotation } from './rotation';

/**
 * The one handler of a stack: CloudFormation custom-resource events (deploy-time issue) and Secrets
 * Manager rotation events (scheduled refresh), told apart by their shape.
 */
export async function handler(
  event: CloudFormationCustomResourceEvent | SecretsManagerRotationEvent,
  context: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<void> {
  const deadline = Deadline.fromRemaining(context.getRemainingTimeInMillis());
  if ('Step' in event) {
    return onRotation(event, deadline);
  }
  return onCustomResource(event, deadline);
}
