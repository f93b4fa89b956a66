import { awscdk } from 'projen';

/**
 * cfn-lint (its version pinned in test/cfn-lint/requirements.txt, installed into a virtualenv the
 * script creates) on every synthesized template: the integ snapshots and the demo app. Zero errors;
 * each ignored rule has its reason in the script.
 */
export function addCfnLintTask(project: awscdk.AwsCdkConstructLibrary): void {
  project.addTask('lint:templates', {
    description: 'Run cfn-lint on every integ snapshot template and on the demo app',
    exec: 'bash test/cfn-lint/run.sh',
  });
}
