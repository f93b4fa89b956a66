/**
 * Who is who in the local AWS, and what each may do, decided from the policies **as synthesized in
 * the template** (never from a list written in a test):
 *
 * - the handler's own credentials stand for the Lambda's execution role, and carry the function's
 *   ARN as `lambda:SourceFunctionArn` in every request they sign (Lambda Developer Guide, "Using
 *   source function ARN to control function access behavior");
 * - sts:AssumeRole (local-sts.ts) turns them into a session of another template role, with the
 *   session policy and session tags the caller passed, checked against that role's trust policy
 *   with its conditions (and, when the trust policy names only the account, against the caller's
 *   identity policy too); passing tags is sts:TagSession, authorized the same way (IAM User Guide,
 *   "Passing session tags in AWS STS": "sts:TagSession ... must be allowed in the role trust policy");
 * - every request a principal makes has in its context `aws:PrincipalArn` (a session's role ARN),
 *   `aws:PrincipalTag/KEY` for its role's tags and its session tags, `aws:TokenIssueTime` for
 *   temporary credentials, and what its credentials add (IAM User Guide, "AWS global condition
 *   context keys");
 * - GetAuthorizationToken (fake-codeartifact.ts) turns a session into a token that carries the
 *   session's role, session policy, session tags and issue time, as an STS service bearer token does;
 * - the package repositories (package-repositories.ts) allow a token's request when the role's
 *   identity policies allow it, intersected with the session policy (IAM User Guide, "Service
 *   bearer tokens": the token keeps "principal tags, session tags, and session policies").
 */
import { randomBytes } from 'crypto';
import { Decision, evaluate, evaluateTrust } from './iam-evaluation';
import { ACCOUNT, TemplateResolver } from './template';

/** A principal as AWS sees it when it makes a request. */
export interface Principal {
  readonly roleArn: string;
  readonly sessionPolicy?: any;
  /** Epoch ms; long-term credentials do not expire. */
  readonly expiresAt: number;
  /** The session tags it was given (sts:AssumeRole `Tags`): `aws:PrincipalTag/KEY` in its requests. */
  readonly tags?: Readonly<Record<string, string>>;
  /** Epoch ms when its temporary credentials were issued: `aws:TokenIssueTime` in its requests. */
  readonly issuedAt?: number;
  /** Keys its credentials add to every request, e.g. `lambda:SourceFunctionArn` for a function's. */
  readonly context?: Readonly<Record<string, string>>;
  /** The name after the role in its `assumed-role` ARN (a Lambda function's: the function name). */
  readonly sessionName?: string;
}

export interface Session extends Principal {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly sessionName: string;
}

/** What a token carries: its issuer's principal, and its own lifetime. */
export interface TokenIdentity extends Principal {}

export class Identities {
  private readonly credentials = new Map<string, Session | Principal>();
  private readonly tokens = new Map<string, TokenIdentity>();

  constructor(private readonly resolver: TemplateResolver) {}

  /**
   * Credentials of a template role that do not expire here (the Lambda's execution role, for the
   * handler), with the keys they add to every request: a Lambda function's carry
   * `{ 'lambda:SourceFunctionArn': FUNCTION_ARN }`; code running as the role elsewhere carries none.
   */
  public addRoleCredentials(accessKeyId: string, roleArn: string, context: Record<string, string> = {}, sessionName = 'credentials'): void {
    this.credentials.set(accessKeyId, { roleArn, expiresAt: Infinity, context, sessionName });
  }

  /** The principal behind an access key id, if it is known and not expired. */
  public principalOf(accessKeyId: string | undefined): Principal | undefined {
    const p = accessKeyId ? this.credentials.get(accessKeyId) : undefined;
    return p && p.expiresAt > Date.now() ? p : undefined;
  }

  /**
   * Evaluates one request of a principal against its template role's policies and its session
   * policy, with the principal's own context keys (requestContext) besides the request's.
   */
  public authorize(principal: Principal, action: string, resource: string, context: Record<string, string | string[]> = {}): Decision {
    const identityPolicies = this.resolver.policiesOfRole(logicalIdOf(principal.roleArn));
    return evaluate({
      identityPolicies, sessionPolicy: principal.sessionPolicy, action, resource, context: { ...this.requestContext(principal), ...context },
    });
  }

  /** The context keys a principal brings to every request it makes. */
  public requestContext(principal: Principal): Record<string, string> {
    const tags = { ...this.roleTags(principal.roleArn), ...principal.tags };
    return {
      'aws:PrincipalArn': principal.roleArn,
      'aws:PrincipalAccount': ACCOUNT,
      'aws:PrincipalType': 'AssumedRole',
      ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:PrincipalTag/${k}`, v])),
      ...(principal.issuedAt !== undefined ? { 'aws:TokenIssueTime': new Date(principal.issuedAt).toISOString() } : {}),
      ...principal.context,
    };
  }

  /**
   * sts:AssumeRole, with sts:TagSession when tags are passed: for each, the target role's trust
   * policy decides with its conditions; a statement naming the account rather than the caller's
   * role needs the caller's identity policy to allow it too, and an explicit Deny there always wins.
   * The request context holds the caller's keys and, with tags, `aws:TagKeys` and
   * `aws:RequestTag/KEY` (IAM User Guide, "Passing session tags in AWS STS", "Controlling access
   * for session tags").
   */
  public assumeRole(caller: Principal, input: {
    roleArn: string; sessionName: string; policy?: any; durationSeconds: number; tags?: ReadonlyArray<{ Key: string; Value: string }>;
  }): Session | Decision {
    const trustPolicy = this.resolver.trustPolicyOfRole(logicalIdOf(input.roleArn));
    const tags = input.tags ?? [];
    const context: Record<string, string | string[]> = {
      ...this.requestContext(caller),
      ...(tags.length > 0 ? { 'aws:TagKeys': tags.map((t) => t.Key) } : {}),
      ...Object.fromEntries(tags.map((t) => [`aws:RequestTag/${t.Key}`, t.Value])),
    };
    const who = sessionArnOf(caller);
    for (const action of tags.length > 0 ? ['sts:AssumeRole', 'sts:TagSession'] : ['sts:AssumeRole']) {
      const trust = evaluateTrust({ trustPolicy, principalArn: caller.roleArn, action, resource: input.roleArn, context });
      const own = this.authorize(caller, action, input.roleArn, context);
      const refusal = !trust.allowed ? `the role's trust policy: ${trust.reason}`
        : !own.allowed && (own.explicit || trust.byAccount) ? `the caller's identity policy: ${own.reason}` : undefined;
      if (refusal) {
        return { allowed: false, explicit: !trust.allowed ? trust.explicit : !own.allowed && own.explicit, reason: `User: ${who} is not authorized to perform: ${action} on resource: ${input.roleArn} (${refusal})` };
      }
    }
    const now = Date.now();
    const session: Session = {
      accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(64).toString('base64'),
      roleArn: input.roleArn,
      sessionName: input.sessionName,
      sessionPolicy: input.policy,
      tags: Object.fromEntries(tags.map((t) => [t.Key, t.Value])),
      issuedAt: now,
      expiresAt: now + input.durationSeconds * 1000,
    };
    this.credentials.set(session.accessKeyId, session);
    return session;
  }

  /** Binds a token to the principal that asked for it, with its own lifetime (0: the session's). */
  public recordToken(token: string, issuer: Principal, durationSeconds: number): TokenIdentity {
    const identity: TokenIdentity = {
      roleArn: issuer.roleArn,
      sessionPolicy: issuer.sessionPolicy,
      tags: issuer.tags,
      issuedAt: issuer.issuedAt,
      sessionName: issuer.sessionName,
      // 0: the token ends with the issuing session (an hour for long-term credentials here).
      expiresAt: durationSeconds > 0 ? Date.now() + durationSeconds * 1000
        : Number.isFinite(issuer.expiresAt) ? issuer.expiresAt : Date.now() + 3600_000,
    };
    this.tokens.set(token, identity);
    return identity;
  }

  /** A package-manager request made with a token: unknown or expired tokens are not authenticated. */
  public authorizeToken(token: string, action: string, resource: string): Decision & { authenticated: boolean } {
    const identity = this.tokens.get(token);
    if (!identity) return { authenticated: false, allowed: false, explicit: false, reason: 'the token is not one this CodeArtifact issued' };
    if (identity.expiresAt <= Date.now()) return { authenticated: false, allowed: false, explicit: false, reason: 'the token has expired' };
    return { authenticated: true, ...this.authorize(identity, action, resource) };
  }

  /** Ages a token, for tests of expiry: it now expires `inMs` from now. */
  public expireToken(token: string, inMs = 0): void {
    const identity = this.tokens.get(token);
    if (identity) this.tokens.set(token, { ...identity, expiresAt: Date.now() + inMs });
  }

  /** A role's own tags in the template: principal tags of each of its sessions, unless a session tag has the key. */
  private roleTags(roleArn: string): Record<string, string> {
    const role = this.resolver.template.Resources?.[logicalIdOf(roleArn)];
    const tags: Array<{ Key: string; Value: string }> = this.resolver.resolveLoosely(role?.Properties?.Tags ?? []);
    return Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
  }

  public clear(): void {
    for (const [k, p] of this.credentials) if ('sessionToken' in p) this.credentials.delete(k); // sessions go, long-term credentials stay
    this.tokens.clear();
  }
}

/** The ARN AWS names a principal by in its messages: `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`. */
export function sessionArnOf(p: Principal): string {
  return `${p.roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/')}/${p.sessionName ?? 'credentials'}`;
}

/** The template role behind a role ARN the local AWS gave out (see roleArn() in template.ts). */
export function logicalIdOf(roleArn: string): string {
  const m = /^arn:[^:]+:iam::\d{12}:role\/(.+)$/.exec(roleArn);
  if (!m) throw new Error(`not a role ARN: ${roleArn}`);
  return m[1];
}
