/**
 * Turns an error into a message that is safe to log and to send to CloudFormation.
 *
 * Only the documented AWS error codes carry their service message, and only scrubbed (see `scrub`):
 * AWS writes those messages, but some quote what the request carried, such as the canonical request
 * of an InvalidSignatureException (which holds the issuer session's token). Anything else (a response
 * that failed to parse, a network error) is named by its type alone, because parser messages quote the
 * response body, which may contain the token.
 */
const SERVICE_ERRORS = new Set([
  // CodeArtifact GetAuthorizationToken
  'AccessDeniedException', 'InternalServerException', 'ResourceNotFoundException', 'ThrottlingException',
  'ValidationException',
  // Secrets Manager
  'DecryptionFailure', 'EncryptionFailure', 'InternalServiceError', 'InvalidParameterException',
  'InvalidRequestException', 'LimitExceededException', 'ResourceExistsException', 'PreconditionNotMetException',
  // STS AssumeRole of the issuer role (ValidationError: a parameter outside STS's limits)
  'AccessDenied', 'MalformedPolicyDocument', 'PackedPolicyTooLarge', 'RegionDisabledException', 'ValidationError',
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
    name?: string; message?: string; code?: unknown; $metadata?: { httpStatusCode?: number; attempts?: number };
  };
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const attempts = e.$metadata?.attempts && e.$metadata.attempts > 1 ? ` after ${e.$metadata.attempts} attempts` : '';
  if (e.$metadata && SERVICE_ERRORS.has(name)) {
    return `${name}${attempts}: ${oneLine(scrub(e.message ?? ''))}`;
  }
  if (name === 'AbortError' || name === 'TimeoutError') {
    return `${name}: no answer in time`;
  }
  // Node's system errors carry a code; they never quote a response body.
  const network = typeof e.code === 'string' ? NETWORK_ERRORS[e.code] : undefined;
  if (network) {
    return `network failure (${e.code}: ${network})${attempts}`;
  }
  const status = e.$metadata?.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode})` : '';
  return `${name}${status}${attempts}: unexpected or unreadable response (details withheld: they may quote the response body)`;
}

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host name not found (DNS)',
  EAI_AGAIN: 'DNS lookup failed, try again',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed while writing',
};

/**
 * True when AWS answered the request (with an error): then the request was refused and changed
 * nothing. False when the answer was lost (a network failure or our deadline), whatever happened.
 */
export function answeredByAws(err: unknown): boolean {
  const status = (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return typeof status === 'number' && status > 0;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim().slice(0, 500);
}

/**
 * Removes from a service message anything shaped like a credential or a signature, whatever its
 * length: the canonical request and string to sign that a signature error quotes (from where they
 * start to the end), access key ids (AKIA, ASIA, and ABIA for bearer tokens: IAM User Guide, "Service
 * bearer tokens"), and long base64 or base64url runs (session tokens, secret keys, CodeArtifact
 * tokens). Names and ARNs in AWS's messages are made of shorter runs and stay readable.
 */
export function scrub(message: string): string {
  return message
    .replace(/(the canonical string|canonical request|string[- ]to[- ]sign)[\s\S]*$/i, '[the canonical request and string to sign are withheld]')
    .replace(/\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{12,}\b/g, '[access key id]')
    .replace(/[A-Za-z0-9+/=]{60,}/g, '[withheld]')
    .replace(/[A-Za-z0-9_.-]{100,}/g, '[withheld]');
}
