import type { DescribeSecretCommandOutput } from '@aws-sdk/client-secrets-manager';
import { CLOUDFORMATION_LOGICAL_ID_TAG, CLOUDFORMATION_STACK_ID_TAG, CONFIG_FIELDS, CONFIG_NAMES, STACK_ID_ENV, STACK_TAG, tokenIdOf } from '../contract';
import { secretsManager, send } from './aws';
import { Deadline } from './deadline';
import { HandlerError } from './errors';

/**
 * The handler writes only into its own stack's token secrets. Its IAM policy already says so (by
 * CloudFormation's tags below), and it checks again before any write, so that a hand-made event naming
 * another secret fails with a reason instead of relying on IAM alone: the secret must carry
 * CloudFormation's `aws:cloudformation:stack-id` tag with this stack's id and its
 * `aws:cloudformation:logical-id` tag (neither of which any user can set), and our own stack tag.
 */
export function ownStackId(): string {
  const id = process.env[STACK_ID_ENV];
  if (!id) {
    throw new HandlerError(`the handler has no ${STACK_ID_ENV} environment variable: deploy it with the construct that created it`);
  }
  return id;
}

/** DescribeSecret: the secret's tags and its versions' stages. */
export async function describeSecret(secretId: string, deadline: Deadline): Promise<DescribeSecretCommandOutput> {
  return send(deadline, secretsManager(), `DescribeSecret on ${secretId}`, (sdk) => new sdk.DescribeSecretCommand({ SecretId: secretId }));
}

/** A token secret of this stack: what DescribeSecret said, and the token's id. */
export interface OwnSecret {
  readonly meta: DescribeSecretCommandOutput;
  /**
   * The token's id, from the secret's logical id in the template (CloudFormation's
   * `aws:cloudformation:logical-id` tag, which no user can set): the issuer role binds each id to
   * that token's template configuration (lib/contract.ts, SESSION_TAG_TOKEN).
   */
  readonly tokenId: string;
}

/** DescribeSecret, refusing a secret that is not one of this stack's token secrets. */
export async function describeOwnSecret(secretId: string, deadline: Deadline): Promise<OwnSecret> {
  const stackId = ownStackId();
  const meta = await describeSecret(secretId, deadline);
  const tag = (key: string) => meta.Tags?.find((t) => t.Key === key)?.Value;
  const problems = [CLOUDFORMATION_STACK_ID_TAG, STACK_TAG]
    .filter((key) => tag(key) !== stackId)
    .map((key) => `tag ${key} is ${JSON.stringify(tag(key) ?? null)}`);
  const logicalId = tag(CLOUDFORMATION_LOGICAL_ID_TAG);
  if (!logicalId) {
    problems.push(`tag ${CLOUDFORMATION_LOGICAL_ID_TAG} is null`);
  }
  if (problems.length > 0) {
    throw new HandlerError(`secret ${secretId} is not a token secret of this stack (${stackId}): ${problems.join(', ')}; nothing was written`);
  }
  return { meta, tokenId: tokenIdOf(logicalId!) };
}

/**
 * The custom resource's properties must say what the secret's tags say: the rotation reads the tags,
 * so a deploy-time token for another configuration would be replaced by a different one at the next
 * rotation (CloudFormation updates the tags before it sends the Update, the secret being a dependency).
 * A consistency check only: both can be changed by others (TagResource, lambda:InvokeFunction), and
 * what a token may do is decided by the issuer role's policies, which bind each token to its template
 * configuration.
 */
export function checkPropertiesMatchTags(properties: Record<string, unknown>, meta: DescribeSecretCommandOutput, secretId: string): void {
  const tag = (key: string) => meta.Tags?.find((t) => t.Key === key)?.Value;
  const differ = CONFIG_FIELDS
    .filter((f) => String(properties[CONFIG_NAMES[f].property] ?? '') !== (tag(CONFIG_NAMES[f].tag) ?? ''))
    .map((f) => `${CONFIG_NAMES[f].property} is ${JSON.stringify(properties[CONFIG_NAMES[f].property] ?? null)} but tag ${CONFIG_NAMES[f].tag} is ${JSON.stringify(tag(CONFIG_NAMES[f].tag) ?? null)}`);
  if (differ.length > 0) {
    throw new HandlerError(`the custom resource's properties do not match the tags of secret ${secretId}: ${differ.join('; ')}; nothing was written`);
  }
}
