/**
 * `npm run demo`: synthesizes the example app (integ/integ.default.ts) into cdk.out, prints what it
 * creates, the way a reviewer would read the template, then on a local AWS (this kit) deploys the
 * token, installs a package with npm configured by the README's commands, and runs the token's
 * lifecycle, printing what happened.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { E2eEnv } from './environment';
import { runLifecycle } from './lifecycle';
import { writeNpmPackage } from './package-clients';
import { explainRun, readmeSnippet } from './readme-snippets';
import { CDK_OUT, EXAMPLE_STACK, synthExample } from './synth';
import { ACCOUNT, REGION } from './template';
import { TAG_PREFIX } from '../../lib/contract';

function describeResource(r: any): string {
  const p = r.Properties ?? {};
  switch (r.Type) {
    case 'AWS::SecretsManager::Secret':
      return `tags ${(p.Tags ?? []).map((t: any) => `${t.Key.replace(`${TAG_PREFIX}:`, '')}=${show(t.Value)}`).join(', ')}`;
    case 'AWS::SecretsManager::RotationSchedule':
      return `${p.RotationRules.ScheduleExpression}, window ${p.RotationRules.Duration}, rotate on create: ${p.RotateImmediatelyOnUpdate}`;
    case 'AWS::Lambda::Function':
      return `${p.Runtime} ${p.Architectures?.join(',')} ${p.MemorySize ?? 128} MB, timeout ${p.Timeout} s`;
    case 'AWS::Logs::LogGroup':
      return `retention ${p.RetentionInDays} days`;
    case 'AWS::IAM::Policy':
    case 'AWS::IAM::ManagedPolicy':
      return (p.PolicyDocument.Statement as any[])
        .map((s) => `\n      allow ${[s.Action].flat().join(', ')} on ${[s.Resource].flat().map(show).join(', ')}${s.Condition ? ` if ${JSON.stringify(s.Condition)}` : ''}`)
        .join('');
    case 'AWS::Lambda::Permission':
      return `${p.Principal} may invoke, from account ${show(p.SourceAccount)}`;
    default:
      return Object.keys(r.Properties ?? {}).filter((k) => k !== 'ServiceToken').map((k) => `${k}=${show(p[k])}`).join(', ');
  }
}

/** A short rendering of a template value: references by name, joins flattened. */
function show(v: any): string {
  if (typeof v === 'string') return v;
  if (v?.Ref) return `<${v.Ref}>`;
  if (v?.['Fn::GetAtt']) return `<${v['Fn::GetAtt'].join('.')}>`;
  if (v?.['Fn::Join']) return v['Fn::Join'][1].map(show).join(v['Fn::Join'][0]);
  return JSON.stringify(v);
}

export function printTemplate(template: any): void {
  const resources = Object.entries(template.Resources) as [string, any][];
  console.log(`\nStack ${EXAMPLE_STACK}: ${resources.length} resources\n`);
  for (const [id, r] of resources) {
    console.log(`  ${r.Type.padEnd(42)} ${id}\n      ${describeResource(r)}`);
  }
  const assetDirs = fs.readdirSync(CDK_OUT).filter((d) => d.startsWith('asset.'));
  for (const dir of assetDirs) {
    const file = path.join(CDK_OUT, dir, 'index.js');
    if (fs.existsSync(file)) {
      console.log(`\n  asset ${dir}/index.js: ${fs.statSync(file).size} bytes`);
    }
  }
}

if (require.main === module) {
  printTemplate(synthExample());
  const main = async () => {
    console.log('\nnpm with the token, configured by the README\'s commands (the handler asset above, run as shipped):\n');
    const consumerOk = await consume((line) => console.log(line));
    console.log('\nLifecycle on a local AWS:\n');
    const report = await runLifecycle({ print: (line) => console.log(line) });
    process.exitCode = report.ok && consumerOk ? 0 : 1;
  };
  main().catch((err) => { console.error(err); process.exitCode = 1; });
}

/**
 * Deploys the token, puts a package into the repository it opens, and runs the README's commands: npm
 * reads the token and the endpoint from the secret and installs the package through the repository's
 * real host name. Then the same token tries to publish, which its read access does not allow.
 */
async function consume(print: (line: string) => void): Promise<boolean> {
  const env = await E2eEnv.start();
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'ca-demo-'));
  try {
    print(`  The handler runs on Node.js ${env.lambda.nodeVersion}; its Lambda runtime is ${env.handlerFunction.runtime}.`);
    await env.createStackResources();
    const created = await env.cfn('Create');
    print(`  Create: CloudFormation ${created.response?.Status}; the token's session policy (as the issuer role was assumed with it):`);
    for (const st of env.sts.calls[0]?.policy?.Statement ?? []) {
      print(`    allow ${[st.Action].flat().join(', ')} on ${[st.Resource].flat().join(', ')}`);
    }
    env.repositories.seedNpm(env.domainName, ACCOUNT, REGION, 'shared', 'left-pad', '1.3.0');
    fs.writeFileSync(path.join(cwd, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    const install = await env.runReadmeSnippets(['read-secret', 'npm-install'], { cwd });
    const installed = fs.existsSync(path.join(cwd, 'node_modules', 'left-pad', 'package.json'));
    print('  $ npm install left-pad   (README: "read-secret" and "npm-install")');
    for (const line of install.output.trim().split('\n').slice(-3)) print(`    ${line}`);
    print(`  -> ${installed ? 'installed node_modules/left-pad' : 'NOT installed'}`);
    // A failure explains itself: npm's whole output and the proxy's view of each request and its decision.
    if (!install.ok || !installed) for (const line of explainRun(install).split('\n')) print(`    ${line}`);
    // The README's publishing commands, pointed at the token's own repository.
    const publishScript = [readmeSnippet('read-secret'), readmeSnippet('npm-publish').replace('.endpoints.releases.npm', '.endpoints.shared.npm')];
    const publishRun = await env.runScript(publishScript.join('\n'), { cwd: writeNpmPackage('demo-package', '1.0.0') });
    const publish = env.repositories.requests.filter((r) => r.method === 'PUT').pop();
    print(`  $ npm publish   with the same read-only token -> HTTP ${publish?.status ?? 'not attempted'}: ${publish?.reason ?? ''}`);
    if (publishRun.ok || publish?.status !== 403) for (const line of explainRun(publishRun).split('\n')) print(`    ${line}`);
    const leaks = env.leaks();
    print(`  Token text in logs, responses or npm's output: ${leaks.length === 0 ? 'none' : leaks.join('; ')}`);
    return installed && install.ok && publish?.status === 403 && leaks.length === 0;
  } finally {
    await env.stop();
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}
