import {
  METRIC_DIMENSION_SECRET_ARN, METRIC_NAMESPACE, METRIC_TOKEN_VALIDITY_SECONDS, METRIC_TOKENS_ISSUED,
} from '../contract';

/** Where the token was issued: a deploy (Create/Update) or a rotation's createSecret. */
export type IssuedBy = 'deploy' | 'rotation';

/**
 * Prints one CloudWatch embedded metric format (EMF) document for a token just issued and stored:
 * `TokensIssued` 1 and `TokenValiditySeconds`, under the secret's ARN. CloudWatch Logs extracts the
 * metrics from the function's own log group, so this takes no API call and no IAM permission
 * (CloudWatch user guide, "Specification: Embedded metric format": "a JSON specification used to
 * instruct CloudWatch Logs to automatically extract metric values embedded in structured log events").
 *
 * Takes the ARN and the expiration only, so the token cannot reach the line.
 *
 * Written with `process.stdout.write`, not `console.log`: the specification requires the log event to
 * be "a valid JSON object with no additional data at the beginning or end of the LogEvent message
 * string", and the Lambda Node.js runtime prefixes each `console` line with a timestamp, the request
 * id and the level (Lambda developer guide, "Log and monitor Node.js Lambda functions", log format).
 */
export function printTokenIssued(secretArn: string, expiration: string, issuedBy: IssuedBy, now = Date.now()): void {
  const validitySeconds = Math.max(0, Math.round((Date.parse(expiration) - now) / 1000));
  const document = {
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [{
        Namespace: METRIC_NAMESPACE,
        Dimensions: [[METRIC_DIMENSION_SECRET_ARN]],
        Metrics: [
          { Name: METRIC_TOKENS_ISSUED, Unit: 'Count' },
          { Name: METRIC_TOKEN_VALIDITY_SECONDS, Unit: 'Seconds' },
        ],
      }],
    },
    [METRIC_DIMENSION_SECRET_ARN]: secretArn,
    [METRIC_TOKENS_ISSUED]: 1,
    [METRIC_TOKEN_VALIDITY_SECONDS]: validitySeconds,
    // Not a dimension (no extra metric): kept in the log event for Logs Insights.
    issuedBy,
    expiration,
  };
  process.stdout.write(`${JSON.stringify(document)}\n`);
}
