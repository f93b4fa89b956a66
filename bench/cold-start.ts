/**
 * Handler asset size and cold start: ours against the AwsCustomResource handler aws-cdk-lib ships,
 * each in a fresh node process serving one Create event against the end-to-end test's local AWS
 * (moto for Secrets Manager, the local CodeArtifact endpoint).
 */
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CfnResponseServer, FakeCodeArtifact, MotoServer } from '../test/local-aws';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const DOMAIN = 'bench-domain';

interface Run { readonly coldStartMs: number; readonly loadMs: number; readonly invokeMs: number; readonly status?: string }

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function sizes(file: string): { bytes: number; gzip: number } {
  const data = fs.readFileSync(file);
  return { bytes: data.length, gzip: zlib.gzipSync(data, { level: 9 }).length };
}

export async function coldStartReport(root: string, work: string, runs: number): Promise<string[]> {
  const ours = path.join(root, 'assets', 'lib', 'handler', 'index', 'index.js');
  const theirs = path.join(root, 'node_modules', 'aws-cdk-lib', 'custom-resource-handlers', 'dist', 'custom-resources', 'aws-custom-resource-handler', 'index.js');
  const runner = path.join(work, 'cold-start-runner.js');
  execFileSync(path.join(root, 'node_modules', '.bin', 'esbuild'), [
    path.join(__dirname, 'cold-start-runner.ts'), '--bundle', '--platform=node', '--target=node20', `--outfile=${runner}`, '--log-level=warning',
  ]);

  const moto = await MotoServer.start();
  const codeartifact = await FakeCodeArtifact.start();
  const responses = await CfnResponseServer.start();
  codeartifact.domains.add(`${ACCOUNT}/${DOMAIN}`);
  const env = {
    PATH: process.env.PATH,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'AKIABENCH00000000000',
    AWS_SECRET_ACCESS_KEY: 'bench-dummy-secret',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.url,
    AWS_ENDPOINT_URL_CODEARTIFACT: codeartifact.url,
    AWS_CONFIG_FILE: '/nonexistent/bench/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/bench/credentials',
  };
  try {
    const sm = new SecretsManagerClient({ region: REGION, endpoint: moto.url, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    const secret = await sm.send(new CreateSecretCommand({ Name: 'bench-token', SecretString: '{}' }));

    const event = (requestId: string, properties: Record<string, string>) => JSON.stringify({
      RequestType: 'Create',
      ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:bench',
      ResponseURL: responses.responseUrl(requestId),
      StackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/Bench/0`,
      RequestId: requestId,
      LogicalResourceId: 'Token',
      ResourceType: 'Custom::Bench',
      ResourceProperties: { ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:bench', ...properties },
    });
    const oursEvent = (id: string) => event(id, {
      SecretId: secret.ARN!, Domain: DOMAIN, DomainOwner: ACCOUNT, DomainRegion: REGION, DurationSeconds: '43200',
    });
    const theirsEvent = (id: string) => event(id, {
      Create: JSON.stringify({
        service: 'CodeArtifact',
        action: 'getAuthorizationToken',
        parameters: { domain: DOMAIN, domainOwner: ACCOUNT, durationSeconds: 43200 },
        physicalResourceId: { id: 'token' },
      }),
      InstallLatestAwsSdk: 'false',
    });

    const port = new URL(responses.url).port;
    let leakedByTheirs = false;
    // Async: the local CodeArtifact and the response server live in this process and must keep serving.
    const runOnce = (handler: string, input: string, extraEnv: Record<string, string>) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [runner, handler], { env: { ...env, ...extraEnv } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (status) => resolve({ status, stdout, stderr }));
        child.stdin.end(input);
      });
    const measure = async (handler: string, makeEvent: (id: string) => string, extraEnv: Record<string, string>): Promise<Run[]> => {
      const out: Run[] = [];
      for (let i = 0; i < runs + 1; i++) {
        const id = `${path.basename(path.dirname(handler))}-${i}`;
        const p = await runOnce(handler, makeEvent(id), extraEnv);
        const last = p.stderr.trim().split('\n').pop() ?? '';
        if (p.status !== 0 || !last.startsWith('{')) {
          throw new Error(`cold start of ${handler} failed (exit ${p.status}):\n${p.stderr.slice(-1500)}`);
        }
        const times = JSON.parse(last);
        const status = responses.for(id)[0]?.body?.Status;
        if (codeartifact.issued.some((t) => p.stdout.includes(t) || p.stderr.includes(t))) {
          leakedByTheirs ||= handler === theirs;
        }
        if (i > 0) out.push({ coldStartMs: times.coldStartMs, loadMs: times.loadMs, invokeMs: times.invokeMs, status }); // the first run warms the disk cache
      }
      return out;
    };
    // Each handler's runs back to back, ours first, then theirs.
    const o = await measure(ours, oursEvent, {});
    const t = await measure(theirs, theirsEvent, { REDIRECT_HTTPS_TO: port });
    const so = sizes(ours);
    const st = sizes(theirs);
    const row = (name: string, rs: Run[], s: { bytes: number; gzip: number }) =>
      `| ${name} | ${s.bytes.toLocaleString('en-US')} | ${s.gzip.toLocaleString('en-US')} | ${median(rs.map((r) => r.loadMs)).toFixed(1)} ms | ${median(rs.map((r) => r.invokeMs)).toFixed(1)} ms | ${median(rs.map((r) => r.coldStartMs)).toFixed(0)} ms | ${[...new Set(rs.map((r) => r.status ?? 'no answer'))].join(', ')} |`;
    return [
      `### Handler: asset size and cold start (fresh node process, one Create event on the local AWS, median of ${runs})`,
      '',
      '| handler | bytes | gzip bytes | load module | serve event (loads the SDK clients) | process start to answered | CloudFormation answer |',
      '|---|---:|---:|---:|---:|---:|---|',
      row('cdk-codeartifact-token (GetAuthorizationToken + PutSecretValue)', o, so),
      row('AwsCustomResource (GetAuthorizationToken only)', t, st),
      `| ratio (theirs / ours) | ${(st.bytes / so.bytes).toFixed(1)}x | ${(st.gzip / so.gzip).toFixed(1)}x | ${(median(t.map((r) => r.loadMs)) / median(o.map((r) => r.loadMs))).toFixed(1)}x | ${(median(t.map((r) => r.invokeMs)) / median(o.map((r) => r.invokeMs))).toFixed(1)}x | ${(median(t.map((r) => r.coldStartMs)) / median(o.map((r) => r.coldStartMs))).toFixed(2)}x | |`,
      '',
      'Both take the AWS SDK v3 clients from the Node.js runtime (here: from node_modules), so the figures compare the handlers themselves.' +
      (leakedByTheirs ? ' The AwsCustomResource handler printed the token in its log output (its default logging logs the whole SDK response); ours never does.' : ''),
      '',
    ];
  } finally {
    await moto.stop();
    await codeartifact.stop();
    await responses.stop();
  }
}
