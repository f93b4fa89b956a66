/**
 * Deploying a synthesized stack into MiniStack as `cdk deploy` would into a bootstrapped account:
 * the assets published to the bootstrap bucket under the names the default synthesizer chose, the
 * bootstrap version parameter, then CloudFormation's own API (CreateStack/UpdateStack/DeleteStack).
 * The few template edits MiniStack still needs live in `ministackTemplateEdits`, one comment each.
 */
import { execFile, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { CloudFormationClient, DescribeStackEventsCommand, DescribeStacksCommand, Stack } from '@aws-sdk/client-cloudformation';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ACCOUNT, REGION } from './template';

/** Root credentials of MiniStack's account: a 12-digit access key id is the account itself. */
export const MINISTACK_ROOT = { accessKeyId: ACCOUNT, secretAccessKey: 'test' };

export function clientConfig(endpoint: string) {
  return { endpoint, region: REGION, credentials: MINISTACK_ROOT, forcePathStyle: true, maxAttempts: 1 };
}

/** The template edits the MiniStack deploy makes, by name: a test pins this list so it cannot grow unseen. */
export const TEMPLATE_EDITS = [] as const;

/**
 * The template as the e2e deploys it into MiniStack. Every edit is listed in TEMPLATE_EDITS and
 * justified by a gap in test/local-aws/README.md; a resource this function does not know passes
 * through untouched, so the lead's template changes reach MiniStack as synthesized.
 */
export function ministackTemplateEdits(template: any): any {
  return structuredClone(template);
}

/**
 * Publishes a stack's file assets (assets.json) into the bootstrap bucket, as cdk-assets does: a
 * `zip` asset zipped from its directory, a `file` asset as is, each under its destination's
 * objectKey, in `cdk-hnb659fds-assets-ACCOUNT-REGION` (created here, as `cdk bootstrap` would).
 * Returns the URL of the template object for CreateStack's TemplateURL.
 */
export async function publishAssets(s3: S3Client, cdkOut: string, stackName: string, python: string): Promise<string> {
  const manifest = JSON.parse(fs.readFileSync(path.join(cdkOut, `${stackName}.assets.json`), 'utf8'));
  let templateKey = '';
  const buckets = new Set<string>();
  for (const [, asset] of Object.entries<any>(manifest.files)) {
    for (const dest of Object.values<any>(asset.destinations)) {
      const bucket = String(dest.bucketName).replace('${AWS::AccountId}', ACCOUNT).replace('${AWS::Region}', REGION);
      if (!buckets.has(bucket)) {
        await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: REGION as any } }))
          .catch((e) => { if (!/BucketAlready/.test(e.name)) throw e; });
        buckets.add(bucket);
      }
      const source = path.join(cdkOut, asset.source.path);
      const body = asset.source.packaging === 'zip' ? zipDirectory(source, python) : fs.readFileSync(source);
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: dest.objectKey, Body: body }));
      if (asset.source.path === `${stackName}.template.json`) templateKey = `${bucket}/${dest.objectKey}`;
    }
  }
  return templateKey;
}

/** A directory's files zipped at its root, as cdk-assets packages a `zip` asset (Python's zipfile: no zip binary needed). */
function zipDirectory(dir: string, python: string): Buffer {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ministack-asset-')), 'asset.zip');
  try {
    execFileSync(python, ['-m', 'zipfile', '-c', out, ...fs.readdirSync(dir).map((f) => path.join(dir, f))]);
    return fs.readFileSync(out);
  } finally {
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  }
}

/**
 * Polls DescribeStacks until the stack leaves its *_IN_PROGRESS state; on a status other than
 * `want` throws with the failed events' reasons (what CloudFormation's console would show).
 */
export async function waitForStack(cfn: CloudFormationClient, stackName: string, want: string, timeoutMs = 180_000): Promise<Stack | undefined> {
  const started = Date.now();
  for (;;) {
    let stack: Stack | undefined;
    try {
      stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
    } catch (e: any) {
      if (want === 'DELETE_COMPLETE' && /does not exist/.test(e.message)) return undefined;
      throw e;
    }
    const status = stack?.StackStatus ?? '';
    if (!status.endsWith('_IN_PROGRESS')) {
      if (status === want) return stack;
      const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: stack?.StackId ?? stackName }))).StackEvents ?? [];
      const failures = events.filter((e) => /FAILED/.test(e.ResourceStatus ?? ''))
        .map((e) => `${e.LogicalResourceId} ${e.ResourceType} ${e.ResourceStatus}: ${e.ResourceStatusReason}`);
      throw new Error(`stack ${stackName} is ${status}, not ${want}: ${stack?.StackStatusReason ?? ''}\n${failures.join('\n')}`);
    }
    if (Date.now() - started > timeoutMs) throw new Error(`stack ${stackName} still ${status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Calls botocore (in MiniStack's virtualenv) for the services the e2e has no SDK client for, in one
 * process: `[service, operation, params]` each, answered in order as `{ ok, result | error }`.
 */
export function botocoreCalls(
  python: string, endpoint: string, calls: Array<[string, string, Record<string, unknown>]>,
): Array<{ ok: boolean; result?: any; error?: string }> {
  const script = [
    'import json, sys, botocore.session',
    's = botocore.session.get_session()',
    'out = []',
    'for service, op, params in json.load(sys.stdin):',
    '    c = s.create_client(service, region_name=sys.argv[2], endpoint_url=sys.argv[1], aws_access_key_id=sys.argv[3], aws_secret_access_key="test")',
    '    try: out.append({"ok": True, "result": getattr(c, op)(**params)})',
    '    except Exception as e: out.append({"ok": False, "error": str(e)})',
    'print(json.dumps(out, default=str))',
  ].join('\n');
  return JSON.parse(execFileSync(python, ['-c', script, endpoint, REGION, ACCOUNT], { input: JSON.stringify(calls), encoding: 'utf8' }));
}

/**
 * Runs ministack_probe.py against a MiniStack: each documented behaviour's observed outcome, by name.
 * Asynchronous: the functions MiniStack runs may call back into this process (the call recorder).
 */
export async function probeMiniStack(python: string, endpoint: string): Promise<Record<string, unknown>> {
  const { stdout } = await promisify(execFile)(python, [path.join(__dirname, 'ministack_probe.py'), endpoint, REGION, ACCOUNT], { encoding: 'utf8', timeout: 120_000 });
  return JSON.parse(stdout);
}
