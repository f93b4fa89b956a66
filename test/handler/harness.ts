import * as http from 'http';
import { AddressInfo } from 'net';
import type { CloudFormationCustomResourceEvent, SecretsManagerRotationEvent } from 'aws-lambda';
import { handler } from '../../lib/handler';

export const TOKEN = 'eyJ2ZXIiOjEsImlzdSI6MTcwMDAwMDAwMH0.SECRET-TOKEN-TEXT-abc123';
export const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:TokenSecret-AbCdEf';

/** A stand-in for CloudFormation's pre-signed ResponseURL that records every response. */
export class ResponseServer {
  public readonly responses: any[] = [];
  private server?: http.Server;

  public async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        this.responses.push({ method: req.method, contentType: req.headers['content-type'], body: JSON.parse(body) });
        res.end();
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/response?X-Amz-Signature=abc`;
  }

  public async stop(): Promise<void> {
    await new Promise((r) => this.server?.close(r));
  }
}

export function cfnEvent(
  requestType: 'Create' | 'Update' | 'Delete',
  responseUrl: string,
  props: Record<string, string> = {},
): CloudFormationCustomResourceEvent {
  const base = {
    ServiceToken: 'arn:aws:lambda:eu-west-1:111122223333:function:handler',
    ResponseURL: responseUrl,
    StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/S/1',
    RequestId: `req-${requestType}-${Math.random()}`,
    LogicalResourceId: 'TokenIssueToken',
    ResourceType: 'Custom::CodeArtifactAuthorizationToken',
    ResourceProperties: {
      ServiceToken: 'arn:aws:lambda:eu-west-1:111122223333:function:handler',
      SecretId: SECRET_ARN,
      Domain: 'my-domain',
      DomainOwner: '111122223333',
      DomainRegion: 'eu-west-1',
      DurationSeconds: '43200',
      ...props,
    },
  };
  if (requestType === 'Create') {
    return { ...base, RequestType: 'Create' };
  }
  return {
    ...base,
    RequestType: requestType,
    PhysicalResourceId: `codeartifact-token:${SECRET_ARN}`,
    OldResourceProperties: base.ResourceProperties,
  } as CloudFormationCustomResourceEvent;
}

/** A rotation step; Secrets Manager calls the id of the version it creates the ClientRequestToken. */
export function rotationEvent(step: string, versionId = 'rotation-version-0001-0000-000000000000'): SecretsManagerRotationEvent {
  return { Step: step as any, SecretId: SECRET_ARN, ClientRequestToken: versionId };
}

export const context = (remainingMs = 120_000) => ({ getRemainingTimeInMillis: () => remainingMs });

/** Runs the handler and returns everything it logged, to check the token never shows up. */
export async function invoke(event: any, ctx = context()): Promise<{ logs: string; error?: Error }> {
  const lines: string[] = [];
  const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) =>
    jest.spyOn(console, m).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' '))));
  try {
    await handler(event, ctx);
    return { logs: lines.join('\n') };
  } catch (error) {
    return { logs: lines.join('\n'), error: error as Error };
  } finally {
    spies.forEach((s) => s.mockRestore());
  }
}

export const futureEpoch = (hours = 12) => new Date(Date.now() + hours * 3600_000);
