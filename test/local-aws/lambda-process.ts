/**
 * The parent side of lambda-host.ts: one Node process running the shipped handler asset, with the
 * AWS SDK pointed at the local endpoints through AWS_ENDPOINT_URL_* and dummy credentials.
 */
import { ChildProcess, fork } from 'child_process';
import * as path from 'path';
import { HANDLER_NODE_ENV, handlerNode, runtimeMajor } from './handler-node';
import { TEST_RESPONSE_ORIGIN_ENV } from '../../lib/handler/response-url';

export interface InvokeResult {
  readonly ok: boolean;
  /** The error the invocation ended with (rotation steps signal failure by throwing). */
  readonly error?: string;
  readonly timedOut?: boolean;
  readonly ms: number;
}

/** The handler's own credentials: the local AWS maps them to the function's execution role. */
export const HANDLER_ACCESS_KEY_ID = 'AKIAE2ETESTING000000';

export interface LambdaEndpoints {
  /** The function's runtime (`nodejs24.x`): the handler runs on that Node.js major (see handler-node.ts). */
  readonly runtime: string;
  readonly region: string;
  readonly secretsManager: string;
  readonly codeArtifact: string;
  readonly sts?: string;
  /** The function's environment variables from the template. */
  readonly environment?: Record<string, string>;
  /**
   * The local stand-in for CloudFormation's response bucket: the handler's test-only seam lets it
   * answer there, outside Lambda only (see lib/handler/response-url.ts).
   */
  readonly responseOrigin?: string;
}

export class LambdaProcess {
  public static async start(asset: string, endpoints: LambdaEndpoints): Promise<LambdaProcess> {
    const child = fork(path.join(__dirname, 'lambda-host.ts'), [asset], {
      execPath: handlerNode(endpoints.runtime),
      execArgv: ['-r', 'ts-node/register/transpile-only'],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: {
        ...endpoints.environment,
        PATH: process.env.PATH,
        TS_NODE_PROJECT: path.join(__dirname, '..', 'tsconfig.json'),
        AWS_REGION: endpoints.region,
        AWS_ACCESS_KEY_ID: HANDLER_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: 'e2e-dummy-secret-access-key',
        AWS_SESSION_TOKEN: 'e2e-dummy-session-token',
        AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsManager,
        AWS_ENDPOINT_URL_CODEARTIFACT: endpoints.codeArtifact,
        ...(endpoints.sts ? { AWS_ENDPOINT_URL_STS: endpoints.sts } : {}),
        ...(endpoints.responseOrigin ? { [TEST_RESPONSE_ORIGIN_ENV]: endpoints.responseOrigin } : {}),
        // Nothing from the machine's own AWS configuration.
        AWS_CONFIG_FILE: '/nonexistent/e2e/config',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/e2e/credentials',
        AWS_LAMBDA_FUNCTION_NAME: 'CodeArtifactTokenHandler',
      },
    });
    const proc = new LambdaProcess(child);
    proc.nodeVersion = await new Promise<string>((resolve, reject) => {
      child.once('message', (m: { nodeVersion: string }) => resolve(m.nodeVersion));
      child.once('exit', (code) => reject(new Error(`the handler process exited (${code}):\n${proc.stderr}`)));
    });
    // Only HANDLER_NODE may choose another major than the runtime's, on purpose.
    const major = Number(proc.nodeVersion.replace(/^v/, '').split('.')[0]);
    if (!process.env[HANDLER_NODE_ENV] && major !== runtimeMajor(endpoints.runtime)) {
      await proc.stop();
      throw new Error(`the handler ran on Node.js ${proc.nodeVersion}, not on the major of its runtime ${endpoints.runtime}`);
    }
    return proc;
  }

  /** `process.version` of the Node.js the handler runs on. */
  public nodeVersion = '';
  /** Everything the handler printed, as CloudWatch Logs would have it. */
  public stdout = '';
  public stderr = '';
  private nextId = 1;
  private readonly pending = new Map<number, (r: InvokeResult) => void>();

  private constructor(private readonly child: ChildProcess) {
    child.stdout!.on('data', (d) => { this.stdout += d; });
    child.stderr!.on('data', (d) => { this.stderr += d; });
    child.on('message', (m: InvokeResult & { id?: number }) => {
      if (m.id !== undefined) {
        this.pending.get(m.id)?.(m);
        this.pending.delete(m.id);
      }
    });
  }

  /** Invokes the handler once, as Lambda would with a function timeout of `timeoutMs`. */
  public invoke(event: unknown, timeoutMs: number): Promise<InvokeResult> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.child.send({ id, event, timeoutMs });
    });
  }

  public get output(): string {
    return `${this.stdout}\n${this.stderr}`;
  }

  public async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill();
      await exited;
    }
  }
}
