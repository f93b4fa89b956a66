/**
 * Who is who in the local AWS, and what each may do, decided from the policies **as synthesized in
 * the template** (never from a list written in a test):
 *
 * - the handler's own credentials stand for the Lambda's execution role;
 * - sts:AssumeRole (local-sts.ts) turns them into a session of another template role, with the
 *   session policy the caller passed, checked against that role's trust policy;
 * - GetAuthorizationToken (fake-codeartifact.ts) turns a session into a token that carries the
 *   session's role and session policy, as an STS service bearer token does;
 * - the package repositories (package-repositories.ts) allow a token's request when the role's
 *   identity policies allow it, intersected with the session policy (IAM User Guide, "Service
 *   bearer tokens": the token keeps "principal tags, session tags, and session policies").
 */
import { randomBytes } from 'crypto';
import { Decision, evaluate } from './iam-evaluation';
import { ACCOUNT, PARTITION, TemplateResolver } from './template';

/** A principal as AWS sees it when it makes a request. */
export interface Principal {
  readonly roleArn: string;
  readonly sessionPolicy?: any;
  /** Epoch ms; long-term credentials do not expire. */
  readonly expiresAt: number;
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

  /** Long-term credentials of a template role (the Lambda's execution role, for the handler). */
  public addRoleCredentials(accessKeyId: string, roleArn: string): void {
    this.credentials.set(accessKeyId, { roleArn, expiresAt: Infinity });
  }

  /** The principal behind an access key id, if it is known and not expired. */
  public principalOf(accessKeyId: string | undefined): Principal | undefined {
    const p = accessKeyId ? this.credentials.get(accessKeyId) : undefined;
    return p && p.expiresAt > Date.now() ? p : undefined;
  }

  /** Evaluates one request of a principal against its template role's policies and its session policy. */
  public authorize(principal: Principal, action: string, resource: string, context?: Record<string, string>): Decision {
    const identityPolicies = this.resolver.policiesOfRole(logicalIdOf(principal.roleArn));
    return evaluate({ identityPolicies, sessionPolicy: principal.sessionPolicy, action, resource, context });
  }

  /**
   * sts:AssumeRole: the target role's trust policy must name the caller's role (or the caller's
   * account, and then the caller's identity policy must allow sts:AssumeRole on the target too).
   */
  public assumeRole(caller: Principal, input: { roleArn: string; sessionName: string; policy?: any; durationSeconds: number }): Session | Decision {
    const trust = this.resolver.trustPolicyOfRole(logicalIdOf(input.roleArn));
    const trusted = (names: string[]) => (trust.Statement as any[]).some((s) => s.Effect === 'Allow'
      && [s.Action].flat().includes('sts:AssumeRole')
      && [s.Principal?.AWS].flat().some((p) => names.includes(p)));
    const accountRoot = `arn:${PARTITION}:iam::${ACCOUNT}:root`;
    if (!trusted([caller.roleArn])) {
      if (!trusted([accountRoot])) {
        return { allowed: false, explicit: false, reason: `${caller.roleArn} is not authorized to perform: sts:AssumeRole on resource: ${input.roleArn} (the role's trust policy does not name it)` };
      }
      const own = this.authorize(caller, 'sts:AssumeRole', input.roleArn);
      if (!own.allowed) return own;
    }
    const session: Session = {
      accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(64).toString('base64'),
      roleArn: input.roleArn,
      sessionName: input.sessionName,
      sessionPolicy: input.policy,
      expiresAt: Date.now() + input.durationSeconds * 1000,
    };
    this.credentials.set(session.accessKeyId, session);
    return session;
  }

  /** Binds a token to the principal that asked for it, with its own lifetime (0: the session's). */
  public recordToken(token: string, issuer: Principal, durationSeconds: number): TokenIdentity {
    const identity = {
      roleArn: issuer.roleArn,
      sessionPolicy: issuer.sessionPolicy,
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

  public clear(): void {
    for (const [k, p] of this.credentials) if ('sessionName' in p) this.credentials.delete(k);
    this.tokens.clear();
  }
}

/** The template role behind a role ARN the local AWS gave out (see roleArn() in template.ts). */
export function logicalIdOf(roleArn: string): string {
  const m = /^arn:[^:]+:iam::\d{12}:role\/(.+)$/.exec(roleArn);
  if (!m) throw new Error(`not a role ARN: ${roleArn}`);
  return m[1];
}
