/**
 * Synthesizes the example app (integ/integ.default.ts, the same app integ-runner deploys) into
 * cdk.out: the e2e runs and the demo run the handler asset this synth puts there, as shipped.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { PROJECT_ROOT } from './python-venv';

export const CDK_OUT = path.join(PROJECT_ROOT, 'cdk.out');
export const EXAMPLE_APP = path.join(PROJECT_ROOT, 'integ', 'integ.default.ts');
export const EXAMPLE_STACK = 'CodeArtifactTokenDefault';

/** Synthesizes the example app into cdk.out and returns the example stack's template. */
export function synthExample(): any {
  fs.rmSync(CDK_OUT, { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('ts-node/dist/bin'), '--transpile-only', EXAMPLE_APP], {
    env: { ...process.env, CDK_OUTDIR: CDK_OUT, CDK_VALIDATION: 'false' },
    stdio: 'inherit',
  });
  return JSON.parse(fs.readFileSync(path.join(CDK_OUT, `${EXAMPLE_STACK}.template.json`), 'utf8'));
}
