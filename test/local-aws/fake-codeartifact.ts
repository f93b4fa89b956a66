/**
 * CodeArtifact GetAuthorizationToken on this machine (moto does not implement CodeArtifact),
 * following the service's restJson1 wire format:
 *
 *   POST /v1/authorization-token?domain=NAME&domain-owner=ACCOUNT&duration=SECONDS  (empty body)
 *   200 {"authorizationToken": "...", "expiration": <epoch seconds, a JSON number>}
 *   4xx/5xx with the `x-amzn-ErrorType` header and a JSON body with `message`
 *
 * It validates requests the way the service does, records every call, and fails on demand. Given
 * the local AWS's identities, it also authorizes the caller the way the service does (the caller
 * needs codeartifact:GetAuthorizationToken on the domain and sts:GetServiceBearerToken) and binds
 * each token to the caller's role and session policy, so the package repositories can enforce them.
 */
import { randomBytes } from 'crypto';
import * as http from 'http';
import { Identities, sessionArnOf } from './identities';
import { close, listen, readBody } from './net';
import { PARTITION } from './template';
import { TokenBucket } from './token-bucket';

export type CodeArtifactFault =
  | 'ThrottlingException' | 'AccessDeniedException' | 'ResourceNotFoundException' | 'ValidationException'
  | 'InternalServerException'
  /** Never answers: the connection stays open until the client gives up. */
  | 'hang'
  /** 200 with a truncated JSON body that already holds a token. */
  | 'malformed'
  /** 200 with valid JSON that lacks `expiration`. */
  | 'no-expiration';

export interface CodeArtifactCall {
  readonly at: number;
  readonly domain?: string;
  readonly domainOwner?: string;
  readonly durationSeconds?: number;
  readonly signedFor?: string;
  /** HTTP status sent, or 0 for a request left hanging. */
  readonly status: number;
  /** 'token issued', an error type, or the injected fault. */
  readonly outcome: string;
  /** For a refused caller: the local evaluator's reason (which statement, which key), beyond AWS's message. */
  readonly reason?: string;
}

const STATUS: Record<string, number> = {
  ThrottlingException: 429,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ValidationException: 400,
  InternalServerException: 500,
};

const DOMAIN = /^[a-z][a-z0-9-]{0,48}[a-z0-9]$/;
/** CodeArtifact quotas: GetAuthorizationToken, 40 requests per second per account and region by default. */
const DEFAULT_REQUESTS_PER_SECOND = 40;

export class FakeCodeArtifact {
  /**
   * @param opts.identities decide who may ask for a token, and record what each token carries
   * @param opts.requestsPerSecond GetAuthorizationToken's quota, enforced with a token bucket as AWS
   * does (CodeArtifact quotas: 40 per second by default); beyond it, ThrottlingException
   */
  public static async start(opts: { identities?: Identities; requestsPerSecond?: number } = {}): Promise<FakeCodeArtifact> {
    const fake = new FakeCodeArtifact(opts.identities);
    fake.setRate(opts.requestsPerSecond ?? DEFAULT_REQUESTS_PER_SECOND);
    fake.url = await listen(fake.server);
    return fake;
  }

  public url = '';
  /** Every call, in order. */
  public readonly calls: CodeArtifactCall[] = [];
  /** Every token text this endpoint ever sent, also inside malformed bodies: none may leak. */
  public readonly issued: string[] = [];
  /** The domains that exist, as `owner/name`. */
  public readonly domains = new Set<string>();
  private readonly faults: CodeArtifactFault[] = [];
  private readonly server = http.createServer((req, res) => void this.handle(req, res));

  private readonly quota = new TokenBucket(DEFAULT_REQUESTS_PER_SECOND);

  private constructor(private readonly identities?: Identities) {}

  /** Sets GetAuthorizationToken's quota, requests per second. */
  public setRate(perSecond: number): void {
    this.quota.setRate(perSecond);
  }

  /** The next `times` calls fail with `fault`, then calls succeed again. */
  public failNext(fault: CodeArtifactFault, times = 1): void {
    for (let i = 0; i < times; i++) this.faults.push(fault);
  }

  public clear(): void {
    this.faults.length = 0;
  }

  public get lastToken(): string | undefined {
    return this.issued[this.issued.length - 1];
  }

  public stop(): Promise<void> {
    return close(this.server);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const q = url.searchParams;
    const auth = String(req.headers.authorization ?? '');
    const call = {
      at: Date.now(),
      domain: q.get('domain') ?? undefined,
      domainOwner: q.get('domain-owner') ?? undefined,
      durationSeconds: q.has('duration') ? Number(q.get('duration')) : undefined,
      signedFor: /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth)?.slice(1).join('/'),
    };
    const fail = (type: string, message: string, status = STATUS[type], reason?: string) => {
      this.calls.push({ ...call, status, outcome: type, ...(reason ? { reason } : {}) });
      res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type, 'x-amzn-requestid': reqId() });
      res.end(JSON.stringify({ message }));
    };

    if (req.method !== 'POST' || url.pathname !== '/v1/authorization-token') {
      return fail('UnknownOperationException', `no operation at ${req.method} ${url.pathname}`, 404);
    }
    if (!/^AWS4-HMAC-SHA256 /.test(auth) || !call.signedFor?.endsWith('/codeartifact')) {
      return fail('InvalidSignatureException', 'the request is not signed with SigV4 for codeartifact', 403);
    }
    if (body.length > 0) {
      return fail('ValidationException', 'GetAuthorizationToken takes no request body');
    }
    const problems: string[] = [];
    const domain = q.get('domain');
    if (domain === null || domain.length < 2 || domain.length > 50 || !DOMAIN.test(domain)) {
      problems.push(`Value '${domain}' at 'domain' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z][a-z0-9\\-]{0,48}[a-z0-9]`);
    }
    const owner = q.get('domain-owner');
    if (owner !== null && !/^[0-9]{12}$/.test(owner)) {
      problems.push(`Value '${owner}' at 'domainOwner' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]{12}`);
    }
    const duration = q.get('duration');
    const seconds = Number(duration);
    if (duration !== null && (!/^\d+$/.test(duration) || (seconds !== 0 && (seconds < 900 || seconds > 43200)))) {
      problems.push(`Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must be 0 or between 900 and 43200`);
    }
    if (problems.length > 0) {
      return fail('ValidationException', `${problems.length} validation error${problems.length > 1 ? 's' : ''} detected: ${problems.join('; ')}`);
    }

    if (!this.quota.take()) {
      return fail('ThrottlingException', 'Rate exceeded');
    }
    const fault = this.faults.shift();
    switch (fault) {
      case undefined:
        break;
      case 'hang':
        this.calls.push({ ...call, status: 0, outcome: 'hang' });
        return; // never answered: the client's abort (or stop()) closes the connection
      case 'malformed': {
        const token = newToken();
        this.issued.push(token);
        this.calls.push({ ...call, status: 200, outcome: 'malformed' });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(`{"authorizationToken":"${token}","expiration":17`);
        return;
      }
      case 'no-expiration': {
        const token = newToken();
        this.issued.push(token);
        this.calls.push({ ...call, status: 200, outcome: 'no-expiration' });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ authorizationToken: token }));
        return;
      }
      default:
        return fail(fault, messageOf(fault, domain!, owner));
    }

    let issuer;
    if (this.identities) {
      issuer = this.identities.principalOf(/Credential=([^/]+)\//.exec(auth)?.[1]);
      if (!issuer) {
        return fail('UnrecognizedClientException', 'The security token included in the request is invalid.', 403);
      }
      const region = call.signedFor!.split('/')[0];
      const domainArn = `arn:${PARTITION}:codeartifact:${region}:${owner}:domain/${domain}`;
      for (const [action, resource, context] of [
        ['codeartifact:GetAuthorizationToken', domainArn, undefined],
        ['sts:GetServiceBearerToken', '*', { 'sts:AWSServiceName': 'codeartifact.amazonaws.com' }],
      ] as const) {
        const decision = this.identities.authorize(issuer, action, resource, context);
        if (!decision.allowed) {
          // The message as AWS words it (IAM User Guide, "Troubleshoot access denied error messages").
          const why = decision.explicit ? 'with an explicit deny in an identity-based policy' : `because no identity-based policy allows the ${action} action`;
          return fail('AccessDeniedException', `User: ${sessionArnOf(issuer)} is not authorized to perform: ${action} on resource: ${resource} ${why}`,
            undefined, decision.reason);
        }
      }
    }
    if (!this.domains.has(`${owner}/${domain}`)) {
      return fail('ResourceNotFoundException', `Domain not found. Domain name: ${domain}, domain owner: ${owner}`);
    }
    const token = newToken();
    this.issued.push(token);
    // 0 means "the caller's session" (an hour for callers the local AWS does not know).
    // The service returns fractional epoch seconds.
    const expiresAt = issuer
      ? this.identities!.recordToken(token, issuer, seconds).expiresAt
      : Date.now() + (seconds || 3600) * 1000;
    const expiration = expiresAt / 1000 + 0.123;
    this.calls.push({ ...call, status: 200, outcome: 'token issued' });
    res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': reqId() });
    res.end(JSON.stringify({ authorizationToken: token, expiration }));
  }
}

function messageOf(fault: string, domain: string, owner: string | null): string {
  switch (fault) {
    case 'ThrottlingException': return 'Rate exceeded';
    case 'AccessDeniedException':
      return `User: arn:aws:sts::${owner}:assumed-role/handler/fn is not authorized to perform: codeartifact:GetAuthorizationToken on resource: domain ${domain}`;
    case 'ResourceNotFoundException': return `Domain not found. Domain name: ${domain}, domain owner: ${owner}`;
    case 'ValidationException': return '1 validation error detected: Value at \'durationSeconds\' failed to satisfy constraint';
    default: return 'An internal error occurred';
  }
}

/** Looks like the real thing (a long base64url blob) and is unique, so a leak of any part shows. */
function newToken(): string {
  return `eyJ2ZXIiOjEsImlzdSI6${randomBytes(96).toString('base64url')}`;
}

function reqId(): string {
  return randomBytes(16).toString('hex');
}
