/**
 * `npm run demo`: synthesizes the example app (integ/integ.default.ts) into cdk.out, prints what it
 * creates, the way a reviewer would read the template, then runs the token's lifecycle on a local
 * AWS (this kit: moto and a local CodeArtifact endpoint) and prints what happened.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runLifecycle } from './lifecycle';
import { CDK_OUT, EXAMPLE_STACK, synthExample } from './synth';
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
  console.log('\nLifecycle on a local AWS (the handler asset above, run as shipped):\n');
  runLifecycle({ print: (line) => console.log(line) }).then(
    (report) => { process.exitCode = report.ok ? 0 : 1; },
    (err) => { console.error(err); process.exitCode = 1; },
  );
}
