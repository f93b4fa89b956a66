/**
 * Handler asset size and cold start: ours against the AwsCustomResource handler aws-cdk-lib ships,
 * each in a fresh node process serving one Create event against the end-to-end test's local AWS
 * (moto for Secrets Manager, the local CodeArtifact endpoint, and for ours the local STS).
 *
 * Ours runs as synth ships it: a one-token stack is synthesized here, and its template decides who
 * may do what (the handler's role may assume the issuer role, whose policies allow the token), its
 * handler asset is what runs, its environment (ISSUER_ROLE_ARN) is the handler's, and the event
 * carries the custom resource's properties from the template.
 */
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { App, Stack } from 'aws-cdk-lib';
import { CodeArtifactAuthorizationToken } from '../lib';
import { Spread, spread } from './stats';
import { TEST_RESPONSE_ORIGIN_ENV } from '../lib/handler/response-url';
import {
  ACCOUNT, CfnResponseServer, cloudFormationSystemTags, FakeCodeArtifact, findHandler, HANDLER_ACCESS_KEY_ID, handlerNode, Identities, LocalSts,
  MotoServer, nodeVersion, REGION, STACK_ID, TemplateResolver,
} from '../test/local-aws';

const DOMAIN = 'bench-domain';

interface Run { readonly coldStartMs: number; readonly loadMs: number; readonly invokeMs: number; readonly status?: string }


export interface ColdStartSummary {
  readonly oursBytes: number;
  readonly oursGzip: number;
  /** AwsCustomResource's bytes over ours. */
  readonly sizeRatio: number;
  /** Process start to answered. */
  readonly ours: Spread;
  readonly theirs: Spread;
  /** `process.version` of the Node.js both handlers ran on. */
  readonly node: string;
}

const ms = (s: Spread, digits: number) => `${s.median.toFixed(digits)} ms (${s.min.toFixed(digits)}-${s.max.toFixed(digits)})`;

function sizes(file: string): { bytes: number; gzip: number } {
  const data = fs.readFileSync(file);
  return { bytes: data.length, gzip: zlib.gzipSync(data, { level: 9 }).length };
}

/** A one-token stack with the default props, synthesized into `outdir` (the handler asset must be bundled). */
function synthOneToken(outdir: string): any {
  const app = new App({ outdir });
  // No env: the template's account and region resolve to the local AWS's (template.ts).
  const stack = new Stack(app, 'BenchColdStart');
  new CodeArtifactAuthorizationToken(stack, 'Token', { domain: DOMAIN });
  app.synth();
  return JSON.parse(fs.readFileSync(path.join(outdir, 'BenchColdStart.template.json'), 'utf8'));
}

export async function coldStartReport(root: string, work: string, runs: number): Promise<{ lines: string[]; summary: ColdStartSummary }> {
  const theirs = path.join(root, 'node_modules', 'aws-cdk-lib', 'custom-resource-handlers', 'dist', 'custom-resources', 'aws-custom-resource-handler', 'index.js');
  const runner = path.join(work, 'cold-start-runner.js');
  execFileSync(path.join(root, 'node_modules', '.bin', 'esbuild'), [
    path.join(__dirname, 'cold-start-runner.ts'), '--bundle', '--platform=node', '--target=node20', `--outfile=${runner}`, '--log-level=warning',
  ]);

  const cdkOut = path.join(work, 'cold-start.out');
  const template = synthOneToken(cdkOut);
  const resolver = new TemplateResolver(template);
  const handler = findHandler(template, cdkOut, resolver);
  const ours = handler.asset;
  // Both handlers run on the Node.js of our function's runtime (nodejs24.x), as test/local-aws runs it.
  const node = handlerNode(handler.runtime);
  const nodeUsed = nodeVersion(node);
  console.error(`cold start: the handlers run on Node.js ${nodeUsed} (${node})`);
  const identities = new Identities(resolver);
  // The handler's own credentials stand for its execution role, as Lambda's would, with the
  // function's ARN as lambda:SourceFunctionArn (the issuer role may be assumed only from it).
  identities.addRoleCredentials(HANDLER_ACCESS_KEY_ID, handler.roleArn, { 'lambda:SourceFunctionArn': handler.functionArn }, handler.logicalId);

  const moto = await MotoServer.start();
  // Ours asks as the issuer session and is checked against the template's policies. The
  // AwsCustomResource's own role is not in that template: its endpoint checks no identity.
  const codeartifact = await FakeCodeArtifact.start({ identities });
  const theirsCodeartifact = await FakeCodeArtifact.start();
  const sts = await LocalSts.start(identities);
  const responses = await CfnResponseServer.start();
  codeartifact.domains.add(`${ACCOUNT}/${DOMAIN}`);
  theirsCodeartifact.domains.add(`${ACCOUNT}/${DOMAIN}`);
  const baseEnv = {
    PATH: process.env.PATH,
    AWS_REGION: REGION,
    AWS_SECRET_ACCESS_KEY: 'bench-dummy-secret',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.url,
    AWS_CONFIG_FILE: '/nonexistent/bench/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/bench/credentials',
  };
  const oursEnv = {
    ...baseEnv,
    ...handler.environment, // ISSUER_ROLE_ARN, resolved
    AWS_ACCESS_KEY_ID: HANDLER_ACCESS_KEY_ID,
    AWS_ENDPOINT_URL_CODEARTIFACT: codeartifact.url,
    AWS_ENDPOINT_URL_STS: sts.url,
    // The handler answers only CloudFormation's response bucket, or this loopback stand-in outside Lambda.
    [TEST_RESPONSE_ORIGIN_ENV]: new URL(responses.url).origin,
  };
  const theirsEnv = {
    ...baseEnv,
    AWS_ACCESS_KEY_ID: 'AKIABENCH00000000000',
    AWS_ENDPOINT_URL_CODEARTIFACT: theirsCodeartifact.url,
    REDIRECT_HTTPS_TO: new URL(responses.url).port,
  };
  try {
    const sm = new SecretsManagerClient({ region: REGION, endpoint: moto.url, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    const [tokenId, token] = Object.entries<any>(template.Resources).find(([, r]) => r.Type === 'Custom::CodeArtifactAuthorizationToken')!;
    // The secret as CloudFormation creates it: the template's value and tags, and its own tags.
    const secretId = token.Properties.SecretId.Ref;
    const secretProps = resolver.resolveLoosely(template.Resources[secretId].Properties);
    const secret = await sm.send(new CreateSecretCommand({
      Name: 'bench-token', SecretString: secretProps.SecretString, Tags: [...secretProps.Tags, ...cloudFormationSystemTags(secretId)],
    }));
    sm.destroy();

    resolver.physical[token.Properties.SecretId.Ref] = secret.ARN!;
    // What CloudFormation would send: the template's properties (Repositories ':all', Access 'read'), resolved.
    const oursProperties = resolver.resolve(token.Properties);
    const event = (requestId: string, resourceType: string, properties: Record<string, string>) => JSON.stringify({
      RequestType: 'Create',
      ServiceToken: properties.ServiceToken,
      ResponseURL: responses.responseUrl(requestId),
      StackId: STACK_ID,
      RequestId: requestId,
      LogicalResourceId: tokenId,
      ResourceType: resourceType,
      ResourceProperties: properties,
    });
    const oursEvent = (id: string) => event(id, token.Type, oursProperties);
    const theirsEvent = (id: string) => event(id, 'Custom::AWS', {
      ServiceToken: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:bench`,
      Create: JSON.stringify({
        service: 'CodeArtifact',
        action: 'getAuthorizationToken',
        parameters: { domain: DOMAIN, domainOwner: ACCOUNT, durationSeconds: 43200 },
        physicalResourceId: { id: 'token' },
      }),
      InstallLatestAwsSdk: 'false',
    });

    let leakedByTheirs = false;
    // Async: the local endpoints and the response server live in this process and must keep serving.
    const runOnce = (file: string, input: string, env: Record<string, string | undefined>) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(node, [runner, file], { env });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (status) => resolve({ status, stdout, stderr }));
        child.stdin.end(input);
      });
    const measureOnce = async (file: string, id: string, input: string, env: Record<string, string | undefined>): Promise<Run> => {
      const p = await runOnce(file, input, env);
      const last = p.stderr.trim().split('\n').pop() ?? '';
      if (p.status !== 0 || !last.startsWith('{')) {
        throw new Error(`cold start of ${file} failed (exit ${p.status}):\n${p.stderr.slice(-1500)}`);
      }
      const times = JSON.parse(last);
      const status = responses.for(id)[0]?.body?.Status;
      if (status !== 'SUCCESS') {
        throw new Error(`${file} answered CloudFormation ${status ?? 'nothing'}: ${JSON.stringify(responses.for(id)[0]?.body ?? {})}\n${p.stderr.slice(-1500)}`);
      }
      const issued = [...codeartifact.issued, ...theirsCodeartifact.issued];
      const leaked = issued.some((tok) => p.stdout.includes(tok) || p.stderr.includes(tok));
      if (leaked && file === ours) throw new Error('our handler printed a token: it must never');
      if (leaked) leakedByTheirs = true;
      return { coldStartMs: times.coldStartMs, loadMs: times.loadMs, invokeMs: times.invokeMs, status };
    };
    // Interleaved, ours then theirs, so both meet the same machine state; the first pair warms the disk cache.
    const o: Run[] = [];
    const t: Run[] = [];
    for (let i = 0; i < runs + 1; i++) {
      const ro = await measureOnce(ours, `ours-${i}`, oursEvent(`ours-${i}`), oursEnv);
      const rt = await measureOnce(theirs, `theirs-${i}`, theirsEvent(`theirs-${i}`), theirsEnv);
      if (i > 0) { o.push(ro); t.push(rt); }
    }
    const assumed = sts.calls.filter((c) => c.operation === 'AssumeRole' && c.status === 200).length;
    const so = sizes(ours);
    const st = sizes(theirs);
    const col = (rs: Run[], k: keyof Omit<Run, 'status'>) => spread(rs.map((r) => r[k]));
    const row = (name: string, rs: Run[], s: { bytes: number; gzip: number }) =>
      `| ${name} | ${s.bytes.toLocaleString('en-US')} | ${s.gzip.toLocaleString('en-US')} | ${ms(col(rs, 'loadMs'), 1)} | ${ms(col(rs, 'invokeMs'), 1)} | ${ms(col(rs, 'coldStartMs'), 0)} | ${[...new Set(rs.map((r) => r.status ?? 'no answer'))].join(', ')} |`;
    const ratio = (k: keyof Omit<Run, 'status'>, digits: number) => `${(col(t, k).median / col(o, k).median).toFixed(digits)}x`;
    return {
      lines: [
        `### Handler: asset size and cold start (fresh node process, one Create event on the local AWS; median (min-max) of ${runs}, the two interleaved)`,
        '',
        '| handler | bytes | gzip bytes | load module | serve event (loads the SDK clients) | process start to answered | CloudFormation answer |',
        '|---|---:|---:|---:|---:|---:|---|',
        row('cdk-codeartifact-token (AssumeRole + GetAuthorizationToken + PutSecretValue)', o, so),
        row('AwsCustomResource (GetAuthorizationToken only)', t, st),
        `| ratio (theirs / ours, medians) | ${(st.bytes / so.bytes).toFixed(1)}x | ${(st.gzip / so.gzip).toFixed(1)}x | ${ratio('loadMs', 1)} | ${ratio('invokeMs', 1)} | ${ratio('coldStartMs', 2)} | |`,
        '',
        `Both ran on Node.js ${nodeUsed}, the major of our function's runtime (${handler.runtime}), and take the AWS SDK v3 clients from the Node.js runtime (here: from node_modules), so the figures compare the handlers themselves. ` +
        `Ours is the asset of a synthesized one-token stack, with its environment, serving the template's properties; it assumed the issuer role at the local STS once per event (${assumed} AssumeRole for ${runs + 1} events, warm-up included), ` +
        'and the local CodeArtifact allowed its token by the template\'s policies and the session policy. Ours does one more API call than the AwsCustomResource (AssumeRole) and writes the secret.' +
        (leakedByTheirs ? ' The AwsCustomResource handler printed the token in its log output (its default logging logs the whole SDK response); ours never does.' : ''),
        '',
      ],
      summary: { oursBytes: so.bytes, oursGzip: so.gzip, sizeRatio: st.bytes / so.bytes, ours: col(o, 'coldStartMs'), theirs: col(t, 'coldStartMs'), node: nodeUsed },
    };
  } finally {
    await Promise.allSettled([moto.stop(), codeartifact.stop(), theirsCodeartifact.stop(), sts.stop(), responses.stop()]);
  }
}
