import {
  ALL_REPOSITORIES_TAG_VALUE, ISSUER_ROLE_ARN_ENV, MAX_SESSION_TAG_VALUE_CHARS, REPOSITORY_SEPARATOR, SECRET_SCHEMA_VERSION,
  SESSION_TAG_REPOSITORIES, SESSION_TAG_TOKEN, sessionTagParts, TokenConfig, TokenSecretValue,
} from '../contract';
import { dualStackRepositoryEndpoint, PACKAGE_FORMATS, repositoryEndpoint } from '../endpoints';
import { MAX_SESSION_POLICY_CHARS, sessionPolicy } from '../session-policy';
import { codeartifact, isAwsError, send, SessionCredentials, sts } from './aws';
import { Deadline } from './deadline';
import { HandlerError } from './errors';

/** A token must have at least this long left to be stored or promoted. */
const MIN_VALIDITY_MS = 5 * 60 * 1000;

/**
 * How long the issuer session lasts: the shortest STS allows, since the session only asks for one
 * token and a token outlives its session (GetAuthorizationToken: "the token lifetime is independent
 * of the maximum session duration of the role"). With durationSeconds 0 the token ends with the
 * session, so then the longest a chained role session may last, one hour (IAM User Guide, "Role
 * chaining").
 */
const SESSION_SECONDS = 900;
const SESSION_SECONDS_FOR_SESSION_TOKENS = 3600;

/**
 * Issues one token: assumes the stack's issuer role with this token's session policy and session
 * tags, calls GetAuthorizationToken with that session, and returns the secret value to store.
 * `secretId` names the session, so CloudTrail shows which secret's token made a request; `tokenId`
 * is the token's id (ownership.ts), which the issuer binds to its template configuration.
 */
export async function issueToken(config: TokenConfig, secretId: string, tokenId: string, deadline: Deadline): Promise<TokenSecretValue> {
  const credentials = await assumeIssuerRole(config, secretId, tokenId, deadline);
  const what = `GetAuthorizationToken for domain '${config.domain}' (owner ${config.domainOwner}, region ${config.domainRegion})`;
  const out = await send(deadline, codeartifact(config.domainRegion, credentials), what, (sdk) => new sdk.GetAuthorizationTokenCommand({
    domain: config.domain,
    domainOwner: config.domainOwner,
    durationSeconds: config.durationSeconds,
  }), { explain: (err) => hint(err, config) });
  const expiration = out.expiration;
  if (typeof out.authorizationToken !== 'string' || out.authorizationToken.length === 0) {
    throw new HandlerError(`${what} returned a response without an authorizationToken`);
  }
  if (!(expiration instanceof Date) || Number.isNaN(expiration.getTime())) {
    throw new HandlerError(`${what} returned a response without a valid expiration`);
  }
  if (expiration.getTime() - Date.now() < MIN_VALIDITY_MS) {
    throw new HandlerError(`${what} returned a token that expires at ${expiration.toISOString()}, less than 5 minutes from now`);
  }
  return {
    schemaVersion: SECRET_SCHEMA_VERSION,
    authorizationToken: out.authorizationToken,
    expiration: expiration.toISOString(),
    issuedAt: new Date().toISOString(),
    domain: config.domain,
    domainOwner: config.domainOwner,
    domainRegion: config.domainRegion,
    durationSeconds: config.durationSeconds,
    repositories: config.repositories,
    access: config.access,
    ...endpointsOf(config),
  };
}

/** The endpoints a consumer configures its package manager with, so it needs no CodeArtifact right itself. */
export function endpointsOf(config: TokenConfig): Pick<TokenSecretValue, 'endpoints' | 'endpointTemplate' | 'dualStackEndpointTemplate'> {
  const at = (repository: string, format: string) => ({ ...config, repository, format });
  const endpoints = config.repositories === '*' ? {} : Object.fromEntries(config.repositories.map((repository) =>
    [repository, Object.fromEntries(PACKAGE_FORMATS.map((format) => [format, repositoryEndpoint(at(repository, format))]))]));
  const dualStack = dualStackRepositoryEndpoint(at('{repository}', '{format}'));
  return {
    endpoints,
    endpointTemplate: repositoryEndpoint(at('{repository}', '{format}')),
    ...(dualStack ? { dualStackEndpointTemplate: dualStack } : {}),
  };
}

/** IAM is eventually consistent: a role created moments ago may not be assumable yet. */
const PROPAGATION_DELAYS_MS = [2000, 4000, 8000];

/**
 * The two session tags that name the token and the configuration it is issued with: the issuer role
 * grants a bearer token only when both are one token's values as the template wrote them.
 */
export function sessionTagsOf(tokenId: string, config: TokenConfig): Array<{ Key: string; Value: string }> {
  const parts = sessionTagParts(tokenId, {
    domain: config.domain,
    domainOwner: config.domainOwner,
    domainRegion: config.domainRegion,
    durationSeconds: String(config.durationSeconds),
    repositories: config.repositories === '*' ? ALL_REPOSITORIES_TAG_VALUE : config.repositories.join(REPOSITORY_SEPARATOR),
    access: config.access,
  });
  return [
    { Key: SESSION_TAG_TOKEN, Value: parts.token.join(' ') },
    { Key: SESSION_TAG_REPOSITORIES, Value: parts.repositories.join(' ') },
  ];
}

async function assumeIssuerRole(config: TokenConfig, secretId: string, tokenId: string, deadline: Deadline): Promise<SessionCredentials> {
  const roleArn = process.env[ISSUER_ROLE_ARN_ENV];
  if (!roleArn) {
    throw new HandlerError(`the handler has no ${ISSUER_ROLE_ARN_ENV} environment variable: deploy it with the construct that created it`);
  }
  const what = `AssumeRole of the issuer role ${roleArn}`;
  // STS's own limits, checked before asking: the configuration may come from tags that others changed,
  // and STS answers an oversized request with a bare validation error (STS API reference, AssumeRole:
  // "The plaintext that you use for both inline and managed session policies can't exceed 2,048
  // characters"; IAM User Guide, "Passing session tags in AWS STS": values of at most 256 characters).
  const policy = sessionPolicy(config);
  if (policy.length > MAX_SESSION_POLICY_CHARS) {
    throw new HandlerError(`${what} not attempted: this configuration's session policy has ${policy.length} characters, more than the `
      + `${MAX_SESSION_POLICY_CHARS} AWS STS accepts; the construct refuses such a configuration at synth time, so the configuration tags `
      + 'of the secret were changed: restore them (or redeploy the stack); nothing was written');
  }
  const tags = sessionTagsOf(tokenId, config);
  const long = tags.find((t) => t.Value.length > MAX_SESSION_TAG_VALUE_CHARS);
  if (long) {
    throw new HandlerError(`${what} not attempted: session tag ${long.Key} would have ${long.Value.length} characters, more than the `
      + `${MAX_SESSION_TAG_VALUE_CHARS} AWS STS accepts; the construct refuses such a configuration at synth time, so the configuration tags `
      + 'of the secret were changed: restore them (or redeploy the stack); nothing was written');
  }
  for (let attempt = 0; ; attempt++) {
    try {
      const out = await send(deadline, sts(), what, (sdk) => new sdk.AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: sessionNameOf(secretId),
        Policy: policy,
        Tags: tags,
        DurationSeconds: config.durationSeconds === 0 ? SESSION_SECONDS_FOR_SESSION_TOKENS : SESSION_SECONDS,
      }), {
        explain: (err) => ((err as { name?: string })?.name === 'AccessDenied'
          ? '. The issuer role trusts only the handler role, and the handler role allows sts:AssumeRole and sts:TagSession on it '
          + 'only from the handler function itself (lambda:SourceFunctionArn): other code running with the handler role is refused.' : ''),
      });
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
        throw new HandlerError(`${what} returned no credentials`);
      }
      return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
    } catch (err) {
      // IAM User Guide, troubleshooting: "Changes that I make are not always immediately visible".
      // A first deploy creates the roles just before it asks for the first token.
      const delay = PROPAGATION_DELAYS_MS[attempt];
      if (isAwsError(err, 'AccessDenied') && delay !== undefined && deadline.remainingMs() > delay + 10_000) {
        await new Promise((r) => setTimeout(r, delay));
        continue;
      }
      throw err;
    }
  }
}

/** The secret's name (RoleSessionName allows 2-64 characters of [\w+=,.@-]). */
export function sessionNameOf(secretId: string): string {
  const name = /:secret:(.+)$/.exec(secretId)?.[1] ?? secretId;
  return name.replace(/[^\w+=,.@-]/g, '-').slice(-64).padStart(2, '-');
}

function hint(err: unknown, config: TokenConfig): string {
  const e = err as { name?: string; message?: string };
  if (e?.name === 'AccessDeniedException') {
    return /sts:GetServiceBearerToken/.test(e.message ?? '')
      ? '. The issuer role grants a bearer token only for the configuration the deployed template gives this secret\'s token '
      + '(sts:GetServiceBearerToken is conditioned on the session tags that name the token and its configuration): the '
      + 'configuration asked for (from the secret\'s tags at rotation, the event\'s properties at deploy time) is not that one. '
      + 'If the secret\'s configuration tags were changed, restore them or redeploy the stack; nothing was written.'
      : `. The issuer role needs codeartifact:GetAuthorizationToken on the domain; for a domain in another account, the domain policy of ${config.domainOwner} must allow the issuer role (token.domainPolicyStatement()).`;
  }
  if (e?.name === 'ResourceNotFoundException') {
    return `. Check that domain '${config.domain}' exists in account ${config.domainOwner}, region ${config.domainRegion}.`;
  }
  return '';
}

/**
 * Checks a stored value: the right shape and a token that is still valid for a while.
 * Returns the problem, or undefined when the value is good. Never quotes the value.
 */
export function checkSecretValue(secretString: string | undefined): string | undefined {
  let v: Partial<TokenSecretValue>;
  try {
    v = JSON.parse(secretString ?? '');
  } catch {
    return 'the value is not JSON';
  }
  if (typeof v !== 'object' || v === null) {
    return 'the value is not a JSON object';
  }
  for (const key of ['authorizationToken', 'expiration', 'domain', 'domainOwner', 'domainRegion'] as const) {
    if (typeof v[key] !== 'string' || v[key] === '') {
      return `the value has no ${key}`;
    }
  }
  const expires = Date.parse(v.expiration!);
  if (Number.isNaN(expires)) {
    return 'the expiration is not a date';
  }
  if (expires - Date.now() < MIN_VALIDITY_MS) {
    return `the token expires at ${new Date(expires).toISOString()}, less than 5 minutes from now`;
  }
  return undefined;
}
