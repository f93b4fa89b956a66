/**
 * Turns an error into a message that is safe to log and to send to CloudFormation.
 *
 * Only the documented AWS error codes carry their service message: those messages come from AWS
 * and hold no token. Anything else (a response that failed to parse, a network error) is named by
 * its type alone, because parser messages quote the response body, which may contain the token.
 */
const SERVICE_ERRORS = new Set([
  // CodeArtifact GetAuthorizationToken
  'AccessDeniedException', 'InternalServerException', 'ResourceNotFoundException', 'ThrottlingException',
  'ValidationException',
  // Secrets Manager
  'DecryptionFailure', 'EncryptionFailure', 'InternalServiceError', 'InvalidParameterException',
  'InvalidRequestException', 'LimitExceededException', 'ResourceExistsException', 'PreconditionNotMetException',
  // STS AssumeRole of the issuer role
  'AccessDenied', 'MalformedPolicyDocument', 'PackedPolicyTooLarge', 'RegionDisabledException',
  // Credentials and signing
  'ExpiredTokenException', 'UnrecognizedClientException', 'InvalidSignatureException',
]);

/** Our own failures: the message was written by this handler and is safe as it is. */
export class HandlerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HandlerError';
  }
}

export function describeError(err: unknown): string {
  if (err instanceof HandlerError) {
    return err.message;
  }
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    name?: string; message?: string; $metadata?: { httpStatusCode?: number; attempts?: number };
  };
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const attempts = e.$metadata?.attempts && e.$metadata.attempts > 1 ? ` after ${e.$metadata.attempts} attempts` : '';
  if (e.$metadata && SERVICE_ERRORS.has(name)) {
    return `${name}${attempts}: ${oneLine(e.message ?? '')}`;
  }
  if (name === 'AbortError' || name === 'TimeoutError') {
    return `${name}: no answer in time`;
  }
  const status = e.$metadata?.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode})` : '';
  return `${name}${status}${attempts}: unexpected or unreadable response (details withheld: they may quote the response body)`;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim().slice(0, 500);
}
