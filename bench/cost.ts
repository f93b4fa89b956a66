/**
 * Cost per token per month at the default settings, from public on-demand prices (us-east-1,
 * November 2026) and the API calls the end-to-end endpoints count per rotation.
 */
import { deriveRotationHours } from '../lib/validation';

export const PRICES = {
  secretPerMonth: 0.40, // Secrets Manager, per secret
  secretsApiPer10k: 0.05, // Secrets Manager, per 10,000 API calls
  lambdaPerMillionRequests: 0.20, // Lambda, per 1M requests
  lambdaArmPerGbSecond: 0.0000133334, // Lambda arm64, per GB-second
  codeartifactPer10kRequests: 0.05, // CodeArtifact, per 10,000 requests (counted conservatively)
  logsPerGbIngested: 0.50, // CloudWatch Logs
};

/** Per rotation, as counted by the end-to-end run (test/e2e): one invocation per step. */
export const PER_ROTATION = {
  invocations: 4,
  secretsManagerCalls: 6, // createSecret: DescribeSecret, PutSecretValue; testSecret: GetSecretValue; finishSecret: DescribeSecret, 2x UpdateSecretVersionStage
  codeartifactCalls: 1, // GetAuthorizationToken
  gbSecondsPerInvocation: 0.25 * 0.2, // 256 MB for ~200 ms (a cold start; warm ones are shorter)
  logBytesPerInvocation: 700, // our JSON line plus Lambda's START/END/REPORT lines
};

export function costReport(): string[] {
  const hoursPerMonth = 730;
  const rotations = hoursPerMonth / deriveRotationHours(43200);
  const invocations = rotations * PER_ROTATION.invocations;
  const parts: Array<[string, string, number]> = [
    ['secret', `$${PRICES.secretPerMonth}`, PRICES.secretPerMonth],
    ['Secrets Manager API', `${rotations.toFixed(0)} rotations x ${PER_ROTATION.secretsManagerCalls} calls x $${PRICES.secretsApiPer10k}/10k`,
      (rotations * PER_ROTATION.secretsManagerCalls * PRICES.secretsApiPer10k) / 10_000],
    ['Lambda requests', `${invocations.toFixed(0)} invocations x $${PRICES.lambdaPerMillionRequests}/1M`, (invocations * PRICES.lambdaPerMillionRequests) / 1e6],
    ['Lambda compute', `${invocations.toFixed(0)} x ${PER_ROTATION.gbSecondsPerInvocation} GB-s x $${PRICES.lambdaArmPerGbSecond}`,
      invocations * PER_ROTATION.gbSecondsPerInvocation * PRICES.lambdaArmPerGbSecond],
    ['CodeArtifact requests', `${rotations.toFixed(0)} x $${PRICES.codeartifactPer10kRequests}/10k`, (rotations * PER_ROTATION.codeartifactCalls * PRICES.codeartifactPer10kRequests) / 10_000],
    ['CloudWatch Logs', `${invocations.toFixed(0)} x ${PER_ROTATION.logBytesPerInvocation} B x $${PRICES.logsPerGbIngested}/GB`,
      (invocations * PER_ROTATION.logBytesPerInvocation * PRICES.logsPerGbIngested) / 2 ** 30],
  ];
  const total = parts.reduce((n, [, , usd]) => n + usd, 0);
  return [
    '### Cost per token per month (defaults: 12-hour tokens, rotation every 5 hours)',
    '',
    '| item | formula | USD |',
    '|---|---|---:|',
    ...parts.map(([item, formula, usd]) => `| ${item} | ${formula} | ${usd.toFixed(5)} |`),
    `| **total** | | **${total.toFixed(4)}** |`,
    '',
    'The secret itself is 98% of it. The DIY AwsCustomResource costs the same $0.40 for its secret but its token is expired 12 hours after each deploy; one Lambda per token costs the same as ours per token (idle functions are free) but multiplies resources and IAM roles.',
    '',
  ];
}
