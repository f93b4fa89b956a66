import * as http from 'http';
import { AddressInfo } from 'net';
import { CodeartifactClient } from '@aws-sdk/client-codeartifact';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { CloudFormationCustomResourceEvent, SecretsManagerRotationEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { CONFIG_FIELDS, CONFIG_NAMES, ISSUER_ROLE_ARN_ENV, STACK_ID_ENV, STACK_TAG } from '../../lib/contract';
import { handler } from '../../lib/handler';
import { TEST_RESPONSE_ORIGIN_ENV } from '../../lib/handler/response-url';

export const TOKEN = 'eyJ2ZXIiOjEsImlzdSI6MTcwMDAwMDAwMH0.SECRET-TOKEN-TEXT-abc123';
export const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:TokenSecret-AbCdEf';
export const ISSUER_ROLE_ARN = 'arn:aws:iam::111122223333:role/Stack-CodeArtifactTokenHandlerIssuerRole-AbC123';
/** The issuer session the handler gets for each token (its keys never reach the secret or a log). */
export const ISSUER_CREDENTIALS = {
  AccessKeyId: 'ASIAISSUERSESSION001',
  SecretAccessKey: 'issuer-secret-access-key',
  SessionToken: 'issuer-session-token',
  Expiration: new Date(Date.now() + 900_000),
};

export const STACK_ID = 'arn:aws:cloudformation:eu-west-1:111122223333:stack/S/1';

// The construct gives the function its stack's issuer role and its stack's id through the environment.
process.env[ISSUER_ROLE_ARN_ENV] = ISSUER_ROLE_ARN;
process.env[STACK_ID_ENV] = STACK_ID;

/** What CloudFormation tags a token secret of this stack with, plus the construct's configuration tags. */
export function ownSecretTags(config: Record<string, string> = {}): Array<{ Key: string; Value: string }> {
  const values: Record<string, string> = {
    domain: 'my-domain',
    domainOwner: '111122223333',
    domainRegion: 'eu-west-1',
    durationSeconds: '43200',
    repositories: 'shared npm-store',
    access: 'read',
    ...config,
  };
  return [
    { Key: 'aws:cloudformation:stack-id', Value: STACK_ID },
    { Key: 'aws:cloudformation:logical-id', Value: 'TokenSecret' },
    { Key: STACK_TAG, Value: STACK_ID },
    ...CONFIG_FIELDS.map((f) => ({ Key: CONFIG_NAMES[f].tag, Value: values[f] })),
  ];
}

/** DescribeSecret's answer for the secret of a custom-resource event: one of this stack's token secrets, tagged as its properties say. */
export function ownSecretOf(event: CloudFormationCustomResourceEvent, versions: Record<string, string[]> = {}) {
  const props = event.ResourceProperties as Record<string, string>;
  const config = Object.fromEntries(CONFIG_FIELDS.map((f) => [f, String(props[CONFIG_NAMES[f].property] ?? '')]));
  return { ARN: SECRET_ARN, Tags: ownSecretTags(config), VersionIdsToStages: versions };
}

/** STS, mocked: AssumeRole of the issuer answers a session unless a test says otherwise. */
export function mockSts() {
  const sts = mockClient(STSClient);
  const reset = () => {
    sts.reset();
    sts.on(AssumeRoleCommand).resolves({ Credentials: ISSUER_CREDENTIALS });
  };
  reset();
  return { sts, reset };
}

/** The session policy the handler passed to AssumeRole on its `n`-th call, parsed. */
export function sessionPolicyOf(sts: ReturnType<typeof mockSts>['sts'], n = 0): any {
  return JSON.parse(sts.commandCalls(AssumeRoleCommand)[n].args[0].input.Policy!);
}

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
    const origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    // The handler's test-only seam: outside Lambda, it may answer this loopback origin.
    process.env[TEST_RESPONSE_ORIGIN_ENV] = origin;
    return `${origin}/response?X-Amz-Signature=abc`;
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
    StackId: STACK_ID,
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
      Repositories: 'shared npm-store',
      Access: 'read',
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

/**
 * Runs the handler and returns everything it logged, to check the token never shows up: its console
 * lines, and what it wrote to stdout directly (the embedded-metric-format lines, also in `emf`).
 */
export async function invoke(event: any, ctx = context()): Promise<{ logs: string; emf: any[]; error?: Error }> {
  const lines: string[] = [];
  const written: string[] = [];
  const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) =>
    jest.spyOn(console, m).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' '))));
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => {
    written.push(String(chunk));
    lines.push(String(chunk).trimEnd());
    return true;
  });
  const result = () => ({
    logs: lines.join('\n'),
    emf: written.join('').split('\n').filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l)),
  });
  try {
    await handler(event, ctx);
    return result();
  } catch (error) {
    return { ...result(), error: error as Error };
  } finally {
    spies.forEach((s) => s.mockRestore());
    stdout.mockRestore();
  }
}

export const futureEpoch = (hours = 12) => new Date(Date.now() + hours * 3600_000);

/**
 * The handler's AWS, mocked (CodeArtifact, Secrets Manager, STS with an issuer session), and a
 * stand-in for CloudFormation's ResponseURL, all reset before each test. By default DescribeSecret
 * answers that the secret is one of this stack's token secrets, tagged as `cfnEvent` says.
 */
export function handlerTestBed() {
  const codeartifact = mockClient(CodeartifactClient);
  const secrets = mockClient(SecretsManagerClient);
  const { sts, reset: resetSts } = mockSts();
  const server = new ResponseServer();
  const bed = {
    codeartifact,
    secrets,
    sts,
    server,
    /** The ResponseURL of the stand-in, once it started. */
    url: '',
    /** Invokes the handler with a custom-resource event whose secret is tagged as its properties say. */
    issue(type: 'Create' | 'Update', props: Record<string, string> = {}, ctx = context()) {
      const event = cfnEvent(type, bed.url, props);
      secrets.on(DescribeSecretCommand).resolves(ownSecretOf(event));
      return invoke(event, ctx);
    },
  };
  beforeAll(async () => { bed.url = await server.start(); });
  afterAll(() => server.stop());
  beforeEach(() => {
    codeartifact.reset();
    secrets.reset();
    resetSts();
    server.responses.length = 0;
    secrets.on(DescribeSecretCommand).resolves(ownSecretOf(cfnEvent('Create', bed.url)));
  });
  return bed;
}
