import { awscdk } from 'projen';
import { TS_SOURCES_ENV } from './ts-node-env';

// integ-runner runs each case through ts-node, which type-checks aws-cdk-lib for every case (about
// 25 s each); type-checking integ/ once with tsc and then transpiling only keeps the check as strict
// and integ:verify well under a minute.
const INTEG_RUNNER_ENV = { ...TS_SOURCES_ENV, TS_NODE_TRANSPILE_ONLY: 'true' };
const INTEG_TYPECHECK = 'tsc --noEmit -p integ/tsconfig.json';
const INTEG_RUNNER = 'integ-runner --directory integ --language typescript --dry-run --parallel-regions us-east-1';

/**
 * `integ:verify`: the offline check of the committed integ snapshots (no AWS account needed), part of
 * `test`; `integ:update`: rewrite them after a deliberate change.
 */
export function addIntegTasks(project: awscdk.AwsCdkConstructLibrary): void {
  const integVerify = project.addTask('integ:verify', {
    description: 'Synthesize every integ/integ.*.ts and compare it with its committed snapshot (no deploy)',
    steps: [
      { exec: INTEG_TYPECHECK },
      { exec: INTEG_RUNNER },
    ],
    env: INTEG_RUNNER_ENV,
  });
  project.addTask('integ:update', {
    description: 'Re-synthesize the integ snapshots after a deliberate change (read the diff before committing)',
    steps: [
      { exec: INTEG_TYPECHECK },
      // --force: integ-runner treats a change of asset hashes alone as "unchanged" and would keep the
      // old handler hash in the snapshot; forcing re-synthesizes every case.
      { exec: INTEG_RUNNER.replace('--dry-run', '--dry-run --update-on-failed --force') },
      // No machine paths in the committed snapshots (see the script).
      { exec: 'ts-node --project projenrc/tsconfig.json projenrc/integ-snapshot-paths.ts integ' },
    ],
    env: INTEG_RUNNER_ENV,
  });
  project.testTask.spawn(integVerify);
}
