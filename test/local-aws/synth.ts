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

/** Two tokens with their own repositories and access in one stack (integ/integ.repositories.ts). */
export const REPOSITORIES_APP = path.join(PROJECT_ROOT, 'integ', 'integ.repositories.ts');
export const REPOSITORIES_OUT = path.join(PROJECT_ROOT, '.e2e', 'cdk.out.repositories');
export const REPOSITORIES_STACK = 'CodeArtifactTokenRepositories';

/** A 15-minute token rotated by EventBridge Scheduler, replicated (integ/integ.short-tokens.ts). */
export const SHORT_APP = path.join(PROJECT_ROOT, 'integ', 'integ.short-tokens.ts');
export const SHORT_OUT = path.join(PROJECT_ROOT, '.e2e', 'cdk.out.short');
export const SHORT_STACK = 'CodeArtifactTokenShort';

/** Synthesizes the example app into cdk.out and returns the example stack's template. */
export function synthExample(): any {
  return synthApp(EXAMPLE_APP, CDK_OUT, EXAMPLE_STACK);
}

/** Synthesizes a CDK app into `outDir` (emptied first) and returns one stack's template. */
export function synthApp(app: string, outDir: string, stackName: string): any {
  fs.rmSync(outDir, { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('ts-node/dist/bin'), '--transpile-only', app], {
    // lib/ holds jsii's compiled .js beside the sources, possibly stale: ts-node must load the .ts.
    env: { ...process.env, CDK_OUTDIR: outDir, CDK_VALIDATION: 'false', TS_NODE_PREFER_TS_EXTS: 'true' },
    stdio: 'inherit',
  });
  return JSON.parse(fs.readFileSync(path.join(outDir, `${stackName}.template.json`), 'utf8'));
}
