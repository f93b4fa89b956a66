/**
 * Cost per token per month at the default settings, from public on-demand prices (us-east-1,
 * November 2026) and the API calls the end-to-end run counted per rotation (test/e2e/API_CALLS.md).
 */
import { ApiCalls, callsOf } from './api-calls';
import { deriveRotation, intervalMinutes } from '../lib/validation';

export const PRICES = {
  secretPerMonth: 0.40, // Secrets Manager, per secret
  secretsApiPer10k: 0.05, // Secrets Manager, per 10,000 API calls
  lambdaPerMillionRequests: 0.20, // Lambda, per 1M requests
  lambdaArmPerGbSecond: 0.0000133334, // Lambda arm64, per GB-second
  codeartifactPer10kRequests: 0.05, // CodeArtifact, per 10,000 requests (counted conservatively)
  // IAM User Guide, "What is IAM?", Service cost information: "AWS Identity and Access Management
  // (IAM), AWS IAM Identity Center and AWS Security Token Service (AWS STS) are features of your AWS
  // account offered at no additional charge."
  stsPerCall: 0,
  logsPerGbIngested: 0.50, // CloudWatch Logs
  // EventBridge Scheduler, per 1M scheduled invocations after the first 14 million of each month,
  // which are free (AWS Price List, AWSEvents offer: "$0 for the first 14 million scheduled
  // invocations"; "$1.25 per million scheduled invocations in Asia Pacific (Tokyo)"; $1.00 in US East,
  // https://aws.amazon.com/eventbridge/pricing/). Counted here without the free tier.
  schedulerPerMillionInvocations: 1.00,
};

export const STS_PRICE_SOURCE = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/introduction.html';

/** Per rotation, besides the API calls (read from API_CALLS.md): one invocation per step. */
export const PER_ROTATION = {
  invocations: 4,
  gbSecondsPerInvocation: 0.25 * 0.2, // 256 MB for ~200 ms (a cold start; warm ones are shorter)
  logBytesPerInvocation: 700, // our JSON line plus Lambda's START/END/REPORT lines
};

export interface CostSummary {
  /** USD per token per month. */
  readonly totalUsd: number;
  /** The secret's own share of it, 0 to 1. */
  readonly secretShare: number;
}

/**
 * @param durationSeconds the tokens' lifetime; their rotation interval is the derived one, and below
 * 9 hours it is kept by EventBridge Scheduler, whose RotateSecret call is one more Secrets Manager call
 */
export function costReport(api: ApiCalls, durationSeconds = 43200): { lines: string[]; summary: CostSummary } {
  const hoursPerMonth = 730;
  const plan = deriveRotation(durationSeconds);
  const rotations = (hoursPerMonth * 60) / intervalMinutes(plan);
  const invocations = rotations * PER_ROTATION.invocations;
  const scheduled = plan.trigger === 'scheduler';
  const secretsCalls = callsOf(api.rotation, 'secretsmanager') + (scheduled ? 1 : 0);
  const codeartifactCalls = callsOf(api.rotation, 'codeartifact');
  const stsCalls = callsOf(api.rotation, 'sts');
  const parts: Array<[string, string, number]> = [
    ['secret', `$${PRICES.secretPerMonth}`, PRICES.secretPerMonth],
    ['Secrets Manager API', `${rotations.toFixed(0)} rotations x ${secretsCalls} calls x $${PRICES.secretsApiPer10k}/10k`,
      (rotations * secretsCalls * PRICES.secretsApiPer10k) / 10_000],
    ['Lambda requests', `${invocations.toFixed(0)} invocations x $${PRICES.lambdaPerMillionRequests}/1M`, (invocations * PRICES.lambdaPerMillionRequests) / 1e6],
    ['Lambda compute', `${invocations.toFixed(0)} x ${PER_ROTATION.gbSecondsPerInvocation} GB-s x $${PRICES.lambdaArmPerGbSecond}`,
      invocations * PER_ROTATION.gbSecondsPerInvocation * PRICES.lambdaArmPerGbSecond],
    ['CodeArtifact requests', `${rotations.toFixed(0)} rotations x ${codeartifactCalls} x $${PRICES.codeartifactPer10kRequests}/10k`,
      (rotations * codeartifactCalls * PRICES.codeartifactPer10kRequests) / 10_000],
    ['STS AssumeRole', `${rotations.toFixed(0)} rotations x ${stsCalls} x $0 (STS has no charge)`, rotations * stsCalls * PRICES.stsPerCall],
    ['CloudWatch Logs', `${invocations.toFixed(0)} x ${PER_ROTATION.logBytesPerInvocation} B x $${PRICES.logsPerGbIngested}/GB`,
      (invocations * PER_ROTATION.logBytesPerInvocation * PRICES.logsPerGbIngested) / 2 ** 30],
    ...(scheduled ? [['EventBridge Scheduler', `${rotations.toFixed(0)} invocations x $${PRICES.schedulerPerMillionInvocations}/1M (the first 14M a month are free)`,
      (rotations * PRICES.schedulerPerMillionInvocations) / 1e6] as [string, string, number]] : []),
  ];
  const total = parts.reduce((n, [, , usd]) => n + usd, 0);
  const secretShare = PRICES.secretPerMonth / total;
  return {
    lines: [
      `### Cost per token per month (${durationSeconds / 3600 >= 1 ? `${durationSeconds / 3600}-hour` : `${durationSeconds / 60}-minute`} tokens, `
        + `rotation every ${intervalMinutes(plan) >= 60 && intervalMinutes(plan) % 60 === 0 ? `${intervalMinutes(plan) / 60} hours` : `${intervalMinutes(plan)} minutes`}`
        + `${scheduled ? ', started by EventBridge Scheduler' : ', the defaults'})`,
      '',
      '| item | formula | USD |',
      '|---|---|---:|',
      ...parts.map(([item, formula, usd]) => `| ${item} | ${formula} | ${usd.toFixed(5)} |`),
      `| **total** | | **${total.toFixed(4)}** |`,
      '',
      scheduled ? `The secret itself is ${Math.floor(secretShare * 100)}% of it; the Secrets Manager calls include the scheduled RotateSecret. Otherwise as above.` :
        `The secret itself is ${Math.floor(secretShare * 100)}% of it. The calls per rotation are the ones the end-to-end run counted (test/e2e/API_CALLS.md). ` +
      `The AssumeRole of the issuer role that each token's issue adds costs nothing: STS is "offered at no additional charge" (IAM User Guide, "What is IAM?", ${STS_PRICE_SOURCE}). ` +
      'The DIY AwsCustomResource costs the same $0.40 for its secret but its token is expired 12 hours after each deploy; one Lambda per token costs the same as ours per token (idle functions are free) but multiplies resources and IAM roles.',
      '',
    ],
    summary: { totalUsd: total, secretShare },
  };
}
