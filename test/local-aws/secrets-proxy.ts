/**
 * The handler's path to Secrets Manager: a pass-through proxy in front of moto that records each
 * call (awsJson1_1: the operation is in `X-Amz-Target`), can cut the path on demand and, given an
 * authorizer, refuses what IAM would refuse (moto itself checks no policy).
 */
import * as http from 'http';
import { close, listen, readBody } from './net';
import { TokenBucket } from './token-bucket';

export type SecretsFault =
  /** 500 InternalServiceError, the service's own error shape. */
  | 'internal-error'
  /** The connection is dropped without an answer, as if the endpoint were unreachable. */
  | 'connection-reset';

export interface SecretsCall {
  readonly at: number;
  readonly operation: string;
  readonly status: number;
  /** 'forwarded', 'AccessDeniedException', or the injected fault. */
  readonly outcome: string;
  /** The secret the request names (`SecretId`), when it names one. */
  readonly secretId?: string;
  /** For a refused request: the authorizer's reason. */
  readonly reason?: string;
}

/** One Secrets Manager request, as the authorizer sees it. */
export interface SecretsRequest {
  readonly operation: string;
  /** The access key id the request is signed with. */
  readonly accessKeyId?: string;
  readonly secretId?: string;
}

/** `message`: AWS's wording, sent to the caller; `reason`: the evaluator's, kept in the call log. */
export type SecretsAuthorizer = (request: SecretsRequest) => Promise<{ allowed: true } | { allowed: false; message: string; reason: string }>;

/** The operations that share Secrets Manager's write quota (of those the handler calls). */
const WRITE_OPERATIONS = ['PutSecretValue', 'UpdateSecretVersionStage'];

interface Rule {
  readonly fault: SecretsFault;
  /** Operations the rule applies to; all when empty. */
  readonly operations: string[];
  remaining: number;
}

export class SecretsProxy {
  /**
   * @param writesPerSecond the quota of Secrets Manager's write APIs, enforced as a token bucket
   * ("PutSecretValue, UpdateSecret, UpdateSecretVersionStage...: 50 per second", Secrets Manager quotas)
   */
  public static async start(target: string, writesPerSecond = 50): Promise<SecretsProxy> {
    const proxy = new SecretsProxy(target, writesPerSecond);
    proxy.url = await listen(proxy.server);
    return proxy;
  }

  /** Decides each request before it reaches moto; none: every request is forwarded. */
  public authorizer?: SecretsAuthorizer;


  public url = '';
  public readonly calls: SecretsCall[] = [];
  private readonly rules: Rule[] = [];
  private readonly server = http.createServer((req, res) => void this.handle(req, res));

  private readonly writeQuota: TokenBucket;

  private constructor(private readonly target: string, writesPerSecond: number) {
    this.writeQuota = new TokenBucket(writesPerSecond);
  }

  /**
   * The next `times` calls to `operations` (all operations when empty) fail with `fault`;
   * `times: Infinity` keeps the path broken until `heal()`.
   */
  public fail(fault: SecretsFault, opts: { operations?: string[]; times?: number } = {}): void {
    this.rules.push({ fault, operations: opts.operations ?? [], remaining: opts.times ?? 1 });
  }

  public heal(): void {
    this.rules.length = 0;
  }

  public stop(): Promise<void> {
    return close(this.server);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readBody(req);
    const operation = String(req.headers['x-amz-target'] ?? '').replace(/^secretsmanager\./, '') || `${req.method} ${req.url}`;
    const rule = this.rules.find((r) => r.remaining > 0 && (r.operations.length === 0 || r.operations.includes(operation)));
    if (rule) {
      rule.remaining--;
      if (rule.fault === 'connection-reset') {
        this.calls.push({ at: Date.now(), operation, status: 0, outcome: rule.fault });
        req.socket.destroy();
        return;
      }
      this.calls.push({ at: Date.now(), operation, status: 500, outcome: rule.fault });
      res.writeHead(500, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'InternalServiceError' });
      res.end(JSON.stringify({ __type: 'InternalServiceError', message: 'An error occurred on the server side (injected by the e2e proxy).' }));
      return;
    }
    if (this.authorizer) {
      let secretId: string | undefined;
      try {
        secretId = JSON.parse(body.toString('utf8') || '{}').SecretId;
      } catch {
        secretId = undefined;
      }
      const accessKeyId = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1];
      const decision = await this.authorizer({ operation, accessKeyId, secretId });
      if (!decision.allowed) {
        this.calls.push({ at: Date.now(), operation, status: 400, outcome: 'AccessDeniedException', secretId, reason: decision.reason });
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'AccessDeniedException' });
        res.end(JSON.stringify({ __type: 'AccessDeniedException', Message: decision.message }));
        return;
      }
    }
    if (WRITE_OPERATIONS.includes(operation) && !this.writeQuota.take()) {
      this.calls.push({ at: Date.now(), operation, status: 400, outcome: 'ThrottlingException' });
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'ThrottlingException' });
      res.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
      return;
    }
    const upstream = http.request(`${this.target}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
      this.calls.push({ at: Date.now(), operation, status: up.statusCode ?? 0, outcome: 'forwarded' });
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      this.calls.push({ at: Date.now(), operation, status: 0, outcome: 'moto unreachable' });
      req.socket.destroy();
    });
    upstream.end(body);
  }
}
