/** The keys of the secret's JSON value that hold a string, which ECS can inject one by one. */
export const STRING_VALUE_KEYS = [
  'authorizationToken', 'expiration', 'issuedAt', 'domain', 'domainOwner', 'domainRegion', 'access',
  'endpointTemplate', 'dualStackEndpointTemplate',
];

export const DEFAULT_TOKEN_VARIABLE = 'CODEARTIFACT_AUTH_TOKEN';
export const DEFAULT_SECRET_ARN_VARIABLE = 'CODEARTIFACT_TOKEN_SECRET_ARN';
export const DEFAULT_ENDPOINT_VARIABLE = 'CODEARTIFACT_REPOSITORY_ENDPOINT';

/**
 * Secrets Manager's rotation-failure event as EventBridge delivers it. Rotation events are AWS service
 * events recorded by CloudTrail, so their detail-type is "AWS Service Event via CloudTrail" and the
 * secret's ARN is in `additionalEventData.SecretId` (Secrets Manager user guide, "AWS CloudTrail
 * entries for Secrets Manager", log entries for rotation: RotationFailed; "Match Secrets Manager
 * events with EventBridge", which matches rotation events by `additionalEventData.SecretId`).
 */
export function rotationFailedPattern(secretArn: string) {
  return {
    source: ['aws.secretsmanager'],
    detailType: ['AWS Service Event via CloudTrail'],
    detail: {
      eventSource: ['secretsmanager.amazonaws.com'],
      eventName: ['RotationFailed'],
      additionalEventData: { SecretId: [secretArn] },
    },
  };
}
