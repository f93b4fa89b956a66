/**
 * A whole token lifecycle on the local AWS: Create, scheduled rotations, an Update that changes the
 * duration, a rotation under the new configuration, Delete (also once the secret is gone). Each step
 * is checked (secret schema, expiry, version stages, one CloudFormation response per event, no
 * token in any log or response) and its API calls are counted.
 */
import * as fs from 'fs';
import * as path from 'path';
import { schemaProblems, stageProblems } from './checks';
import { CallCounts, E2eEnv, EnvOptions } from './environment';
import { CONFIG_NAMES, SESSION_TAG_TOKEN, tokenIdOf } from '../../lib/contract';

export interface LifecycleStep {
  readonly name: string;
  readonly kind: 'deploy' | 'rotation' | 'delete';
  readonly problems: string[];
  readonly calls: CallCounts;
  /** For a rotation: the calls of each step. */
  readonly stepCalls?: Record<string, CallCounts>;
  readonly stages: Record<string, string[]>;
  readonly expiration?: string;
  readonly durationSeconds?: number;
  readonly cfnStatus?: string;
  readonly ms: number;
}

export interface LifecycleReport {
  readonly resources: string[];
  readonly secretArn: string;
  readonly steps: LifecycleStep[];
  readonly leaks: string[];
  readonly ok: boolean;
}

export interface LifecycleOptions extends EnvOptions {
  /** Scheduled rotations before the Update. @default 3 */
  readonly rotations?: number;
  /** The duration the Update changes to. @default 3600 */
  readonly updatedDurationSeconds?: number;
  /** Where to print the human-readable account. @default nothing is printed */
  readonly print?: (line: string) => void;
  /** Run in this environment instead of starting (and stopping) one. */
  readonly env?: E2eEnv;
}

const DURATION_TAG = CONFIG_NAMES.durationSeconds.tag;

export async function runLifecycle(opts: LifecycleOptions = {}): Promise<LifecycleReport> {
  const print = opts.print ?? (() => undefined);
  const env = opts.env ?? await E2eEnv.start({ ...opts, log: (l) => print(`  (setup) ${l}`) });
  try {
    return await lifecycle(env, opts, print);
  } finally {
    if (!opts.env) await env.stop();
  }
}

async function lifecycle(env: E2eEnv, opts: LifecycleOptions, print: (line: string) => void): Promise<LifecycleReport> {
  const steps: LifecycleStep[] = [];
  const resources: string[] = [];
  let duration = 0;
  const expected = () => env.expectedValue(duration);
  const tokens: string[] = [];

  /** Checks the AWSCURRENT value: schema, expiry, and that it holds the token the endpoint issued last. */
  const checkCurrent = async (problems: string[]) => {
    const current = await env.value();
    problems.push(...schemaProblems(current?.value, expected()));
    const value = safeParse(current?.value);
    if (value?.authorizationToken !== env.codeArtifact.lastToken) problems.push('AWSCURRENT does not hold the token CodeArtifact issued last');
    if (tokens.includes(value?.authorizationToken)) problems.push('AWSCURRENT holds a token that was current before: no new token');
    tokens.push(value?.authorizationToken);
    return { versionId: current?.versionId ?? '', expiration: value?.expiration as string | undefined };
  };

  const record = (s: LifecycleStep) => {
    steps.push(s);
    print(`\n${s.name}: ${s.problems.length === 0 ? 'ok' : 'FAILED'} in ${s.ms} ms${s.cfnStatus ? `, CloudFormation ${s.cfnStatus}` : ''}`);
    if (s.expiration) print(`  token expires ${s.expiration} (durationSeconds ${s.durationSeconds})`);
    print(`  versions: ${describeStages(s.stages)}`);
    print(`  API calls: ${Object.entries(s.calls).map(([k, n]) => `${k} x${n}`).join(', ') || 'none'}`);
    for (const p of s.problems) print(`  PROBLEM: ${p}`);
  };

  const deploy = async (name: string, type: 'Create' | 'Update', props: Record<string, string>, oldProps?: Record<string, string>) => {
    const before = (await env.value())?.versionId;
    const mark = env.mark();
    const t0 = Date.now();
    const r = await env.cfn(type, { props, oldProps });
    const ms = Date.now() - t0;
    const problems = cfnProblems(r.responses.map((x) => x.body?.Status ?? 'unreadable'), 'SUCCESS');
    if (!r.invoke.ok) problems.push(`the invocation failed: ${r.invoke.error}`);
    const current = await checkCurrent(problems);
    // S3 pre-signed URLs are signed without a content type: the PUT must not send one.
    if (r.responses.some((x) => x.contentType)) problems.push('the response was sent with a content type');
    if (r.response?.Data?.VersionId !== current.versionId) problems.push('the response names another version than AWSCURRENT');
    const stages = await env.stages();
    problems.push(...stageProblems(stages, current.versionId, before));
    record({ name, kind: 'deploy', problems, calls: env.callsSince(mark), stages, expiration: current.expiration, durationSeconds: duration, cfnStatus: r.response?.Status, ms });
  };

  const rotation = async (name: string) => {
    const before = (await env.value())!.versionId;
    const mark = env.mark();
    const t0 = Date.now();
    const problems: string[] = [];
    const stepCalls: Record<string, CallCounts> = {};
    let stepMark = env.mark();
    const r = await env.rotate({
      before: () => { stepMark = env.mark(); },
      after: (step) => { stepCalls[step] = env.callsSince(stepMark); },
    });
    const ms = Date.now() - t0;
    for (const s of r.steps) {
      if (!s.invoke.ok) problems.push(`${s.step} failed: ${s.invoke.error}`);
      const pending = Object.entries(s.stages).filter(([, l]) => l.includes('AWSPENDING')).map(([id]) => id);
      const current = Object.entries(s.stages).filter(([, l]) => l.includes('AWSCURRENT')).map(([id]) => id);
      const [wantCurrent, wantPending] = s.step === 'finishSecret' ? [r.token, []] : [before, [r.token]];
      if (current.join() !== wantCurrent || pending.join() !== wantPending.join()) {
        problems.push(`after ${s.step}: AWSCURRENT on ${current.join() || 'none'}, AWSPENDING on ${pending.join() || 'none'}`);
      }
    }
    if (r.steps.length !== 4) problems.push(`only ${r.steps.length} of 4 steps ran`);
    const current = await checkCurrent(problems);
    const stages = await env.stages();
    problems.push(...stageProblems(stages, r.token, before));
    record({ name, kind: 'rotation', problems, calls: env.callsSince(mark), stepCalls, stages, expiration: current.expiration, durationSeconds: duration, ms });
  };

  const remove = async (name: string) => {
    const mark = env.mark();
    const t0 = Date.now();
    const r = await env.cfn('Delete');
    const problems = cfnProblems(r.responses.map((x) => x.body?.Status ?? 'unreadable'), 'SUCCESS');
    if (r.response && r.response.PhysicalResourceId !== r.event.PhysicalResourceId) problems.push('Delete changed the PhysicalResourceId');
    record({ name, kind: 'delete', problems, calls: env.callsSince(mark), stages: await env.stages(), cfnStatus: r.response?.Status, ms: Date.now() - t0 });
  };

  print(`Local AWS: moto ${env.moto.url} (Secrets Manager, via the recording proxy ${env.secretsProxy.url}), ` +
    `CodeArtifact ${env.codeArtifact.url}, CloudFormation responses ${env.cfnResponses.url}`);
  print(`Handler: ${path.relative(process.cwd(), env.handlerFunction.asset)} (timeout ${env.handlerFunction.timeoutMs / 1000} s)`);
  const arn = await env.createStackResources();
  resources.push(`AWS::CodeArtifact::Domain ${env.domainName} (served by the local CodeArtifact endpoint)`);
  resources.push(`AWS::SecretsManager::Secret ${arn} (in moto, with the template's tags)`);
  print('Resources created the way CloudFormation would:');
  resources.forEach((r) => print(`  ${r}`));

  const props = env.properties();
  duration = Number(props.DurationSeconds);
  await deploy('Create (deploy)', 'Create', props);
  for (let i = 1; i <= (opts.rotations ?? 3); i++) {
    await rotation(`Rotation ${i} (scheduled)`);
  }
  duration = opts.updatedDurationSeconds ?? 3600;
  // The app's tokenDuration changed: CloudFormation updates the issuer's policies and the secret's
  // tags first (the custom resource depends on both), then sends the Update.
  const oldProps = await env.updateStack({ template: withTokenDuration(env, duration) });
  await deploy(`Update (durationSeconds ${props.DurationSeconds} -> ${duration})`, 'Update', env.properties(), oldProps);
  await rotation('Rotation after the update (reads the new duration from the tags)');
  await remove('Delete (secret still there)');
  await env.deleteSecret();
  await remove('Delete again (secret already gone)');

  print('\nCodeArtifact calls (as the local endpoint logged them, tokens redacted):');
  for (const c of env.codeArtifact.calls) {
    print(`  POST /v1/authorization-token?domain=${c.domain}&domain-owner=${c.domainOwner}&duration=${c.durationSeconds}` +
      ` (signed for ${c.signedFor}) -> ${c.status} ${c.outcome === 'token issued' ? '{"authorizationToken":"<redacted>","expiration":...}' : c.outcome}`);
  }
  const leaks = env.leaks();
  print(`\nToken text in handler logs or CloudFormation responses: ${leaks.length === 0 ? `none (${env.codeArtifact.issued.length} tokens checked)` : leaks.join('; ')}`);
  const ok = leaks.length === 0 && steps.every((s) => s.problems.length === 0);
  print(`Lifecycle ${ok ? 'passed' : 'FAILED'}.`);
  return { resources, secretArn: arn, steps, leaks, ok };
}

function cfnProblems(statuses: string[], want: string): string[] {
  if (statuses.length !== 1) return [`${statuses.length} CloudFormation responses arrived, expected exactly one`];
  return statuses[0] === want ? [] : [`CloudFormation got ${statuses[0]}, expected ${want}`];
}

function safeParse(s: string | undefined): any {
  try {
    return JSON.parse(s ?? '');
  } catch {
    return undefined;
  }
}

function describeStages(stages: Record<string, string[]>): string {
  const entries = Object.entries(stages).filter(([, l]) => l.length > 0);
  return entries.length === 0 ? 'none (the secret is gone)' : entries.map(([id, l]) => `${id.slice(0, 8)}… ${l.join('+')}`).join(', ');
}

/** The API calls per lifecycle step as a markdown table (the README and the benchmark read it). */
export function apiCallsMarkdown(report: LifecycleReport): string {
  const ops = [...new Set(report.steps.flatMap((s) => Object.keys(s.calls)))].sort();
  const lines = [
    '# API calls per lifecycle step',
    '',
    '<!-- Generated by `npm run test:e2e` (test/e2e/lifecycle.e2e.ts): do not edit by hand. -->',
    '',
    'Made by the shipped handler against the local AWS of the e2e test (moto for Secrets Manager, a local',
    'CodeArtifact endpoint), counted at the endpoints: one row per CloudFormation event or whole rotation',
    '(createSecret, setSecret, testSecret, finishSecret), without faults, so no retries.',
    '',
    `| step | ${ops.join(' | ')} | total |`,
    `|---|${ops.map(() => '---:').join('|')}|---:|`,
    ...report.steps.map((s) => `| ${s.name} | ${ops.map((o) => s.calls[o] ?? 0).join(' | ')} | ${Object.values(s.calls).reduce((a, b) => a + b, 0)} |`),
    '',
    ...stepTable(report),
    'The handler calls no other AWS API: its one STS call is AssumeRole of the issuer role, and it makes no KMS',
    'call. `sts:GetServiceBearerToken` is a permission CodeArtifact checks on the caller, not a call the handler',
    'makes; Secrets Manager uses KMS on its own side.',
    '',
    'Per deploy (Create or Update): ' + perKind(report, 'deploy') + '.',
    '',
    'Per rotation: ' + perKind(report, 'rotation') + '.',
    '',
    'Per Delete: ' + perKind(report, 'delete') + '.',
    '',
  ];
  return lines.join('\n');
}

/** The first rotation, step by step. */
function stepTable(report: LifecycleReport): string[] {
  const rotation = report.steps.find((s) => s.stepCalls);
  if (!rotation) return [];
  const ops = Object.keys(rotation.calls).sort();
  return [
    `Within a rotation (${rotation.name}), by step:`,
    '',
    `| rotation step | ${ops.join(' | ')} | total |`,
    `|---|${ops.map(() => '---:').join('|')}|---:|`,
    ...Object.entries(rotation.stepCalls!).map(([step, calls]) =>
      `| ${step} | ${ops.map((o) => calls[o] ?? 0).join(' | ')} | ${Object.values(calls).reduce((a, b) => a + b, 0)} |`),
    '',
  ];
}

function perKind(report: LifecycleReport, kind: LifecycleStep['kind']): string {
  const distinct = [...new Set(report.steps.filter((s) => s.kind === kind)
    .map((s) => Object.entries(s.calls).sort().map(([k, n]) => `${n} x ${k}`).join(', ') || 'no API calls'))];
  return distinct.join(' | ');
}

/** Writes the API calls of each step as markdown into `file`. */
export function writeApiCalls(report: LifecycleReport, file: string): void {
  fs.writeFileSync(file, apiCallsMarkdown(report));
}

/**
 * The template the app synthesizes once the token's duration is `seconds`: the custom resource's
 * DurationSeconds, the secret's duration tag, and the duration in the issuer's binding of this token
 * (the `aws:PrincipalTag/cdk-codeartifact-token:token` value that starts with the token's id and
 * its old duration: lib/contract.ts). Everything else stays as synthesized.
 */
function withTokenDuration(env: E2eEnv, seconds: number): any {
  const template = JSON.parse(JSON.stringify(env.template));
  const props = template.Resources[env.tokenLogicalId].Properties;
  const before = `${tokenIdOf(env.secretLogicalId)} ${props.DurationSeconds} `;
  const after = before.replace(/ \d+ $/, ` ${seconds} `);
  props.DurationSeconds = String(seconds);
  for (const tag of template.Resources[env.secretLogicalId].Properties.Tags ?? []) {
    if (tag.Key === DURATION_TAG) tag.Value = String(seconds);
  }
  let rebound = 0;
  const rebind = (v: any): any => {
    if (typeof v === 'string') return v.startsWith(before) ? (rebound++, after + v.slice(before.length)) : v;
    if (Array.isArray(v)) return v.map(rebind);
    if (v && typeof v === 'object' && Array.isArray(v['Fn::Join'])) return { 'Fn::Join': [v['Fn::Join'][0], [rebind(v['Fn::Join'][1][0]), ...v['Fn::Join'][1].slice(1)]] };
    return v;
  };
  for (const r of Object.values<any>(template.Resources)) {
    if (!['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].includes(r.Type)) continue;
    for (const s of [r.Properties.PolicyDocument.Statement].flat()) {
      const equals = s.Condition?.StringEquals;
      const key = `aws:PrincipalTag/${SESSION_TAG_TOKEN}`;
      if (equals?.[key] !== undefined) equals[key] = rebind(equals[key]);
    }
  }
  if (rebound !== 1) throw new Error(`expected one binding of the token's duration in the issuer's policies, found ${rebound}`);
  return template;
}
