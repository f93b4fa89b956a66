import type { CodeartifactClient } from '@aws-sdk/client-codeartifact';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { STSClient } from '@aws-sdk/client-sts';
import { Deadline, DeadlineExceeded } from './deadline';
import { describeError, HandlerError } from './errors';

type SecretsManagerSdk = typeof import('@aws-sdk/client-secrets-manager');
type CodeartifactSdk = typeof import('@aws-sdk/client-codeartifact');
type StsSdk = typeof import('@aws-sdk/client-sts');

/** Temporary credentials, as sts:AssumeRole returns them. */
export interface SessionCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

/** A client and the SDK module it came from, to build its commands with. */
export interface Service<Sdk, Client extends Sender> {
  readonly sdk: Sdk;
  readonly client: Client;
}

/** What `send` needs of an SDK client. */
interface Sender {
  send(command: object, options: { abortSignal: AbortSignal }): Promise<unknown>;
}

/** What an SDK command answers: read from its middleware handler, as the SDK's own `send` does. */
type OutputOf<Command> = Command extends { resolveMiddleware(...args: any[]): (...args: any[]) => Promise<{ output: infer O }> } ? O : never;

/**
 * The SDK's own retries, in adaptive mode: throttling and 5xx are retried with exponential backoff
 * (capped at 20 s) and the client slows its own sending rate when throttled. Enough attempts to
 * outlast a burst: a stack that creates 150 tokens sends 150 GetAuthorizationToken at once, and
 * CodeArtifact allows 40 per second by default (CodeArtifact quotas); Secrets Manager's write APIs
 * allow 50 per second (Secrets Manager quotas). The handler's deadline bounds them all.
 */
const CLIENT_OPTIONS = {
  retryMode: 'adaptive',
  maxAttempts: 8,
  requestHandler: { connectionTimeout: 5000, requestTimeout: 15000 },
} as const;

// require(), not import(): the bundle is CommonJS, and so are the tests that load this module.
// Each SDK is loaded on first use, so that an invocation that does not need it (a Delete; rotation
// steps other than createSecret) does not pay for loading it.

/** A value made on first use and kept for the invocations that follow. */
function lazy<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

/** Secrets Manager of the handler's own region, where the token secrets live. */
export const secretsManager = lazy((): Service<SecretsManagerSdk, SecretsManagerClient> => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk: SecretsManagerSdk = require('@aws-sdk/client-secrets-manager');
  return { sdk, client: new sdk.SecretsManagerClient(CLIENT_OPTIONS) };
});

/** STS of the handler's own region (its regional endpoint), for assuming the issuer role. */
export const sts = lazy((): Service<StsSdk, STSClient> => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk: StsSdk = require('@aws-sdk/client-sts');
  return { sdk, client: new sdk.STSClient(CLIENT_OPTIONS) };
});

// eslint-disable-next-line @typescript-eslint/no-require-imports
const codeartifactSdk = lazy((): CodeartifactSdk => require('@aws-sdk/client-codeartifact'));

/**
 * CodeArtifact of the domain's region, called with the issuer session of one token. A client per
 * call: each token has its own session, and the client is cheap next to the call it makes.
 */
export function codeartifact(region: string, credentials: SessionCredentials): Service<CodeartifactSdk, CodeartifactClient> {
  const sdk = codeartifactSdk();
  return { sdk, client: new sdk.CodeartifactClient({ region, credentials, ...CLIENT_OPTIONS }) };
}

/**
 * An AWS call that failed or did not answer in time. The message is safe to log and to send to
 * CloudFormation; `awsErrorName` keeps the AWS error's name, for callers that handle one.
 */
export class AwsCallError extends HandlerError {
  constructor(message: string, public readonly awsErrorName: string | undefined) {
    super(message);
    this.name = 'AwsCallError';
  }
}

/** True when `err` is a failed AWS call that AWS answered with the error `name`. */
export function isAwsError(err: unknown, name: string): boolean {
  return err instanceof AwsCallError && err.awsErrorName === name;
}

export interface SendOptions {
  /**
   * Advice for the failure, in the caller's words, appended to the message. It sees the original
   * error and must not quote it.
   */
  readonly explain?: (err: unknown) => string;
}

/**
 * The one way the handler calls AWS: runs the command within the deadline and turns any failure
 * into an `AwsCallError` whose message names the call once (`what`) and quotes nothing unsafe.
 */
export async function send<Sdk, Command extends object>(
  deadline: Deadline,
  service: Service<Sdk, Sender>,
  what: string,
  command: (sdk: Sdk) => Command,
  options: SendOptions = {},
): Promise<OutputOf<Command>> {
  try {
    const cmd = command(service.sdk);
    return await deadline.run((abortSignal) => service.client.send(cmd, { abortSignal })) as OutputOf<Command>;
  } catch (err) {
    const cause = err instanceof DeadlineExceeded ? err.message : `failed: ${describeError(err)}`;
    throw new AwsCallError(`${what} ${cause}${options.explain?.(err) ?? ''}`, nameOf(err));
  }
}

function nameOf(err: unknown): string | undefined {
  if (err instanceof HandlerError || typeof err !== 'object' || err === null) {
    return undefined;
  }
  const name = (err as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}
