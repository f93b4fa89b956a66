import { awscdk, github, JsonPatch, TestFailureBehavior } from 'projen';

/**
 * The toolchains `.ci/run` needs beside Node.js, set up before it in the build workflow: Python 3.11
 * (moto, cfn-lint, the wheel), Java 17 (Maven comes with the runner image) and Go, at the version the
 * Go test app declares.
 */
export const CI_TOOLCHAIN_STEPS: github.workflows.JobStep[] = [
  { uses: github.ActionRefs.ACTIONS_SETUP_PYTHON, with: { 'python-version': '3.11' } },
  { uses: github.ActionRefs.ACTIONS_SETUP_JAVA, with: { 'distribution': 'corretto', 'java-version': '17' } },
  { uses: github.ActionRefs.ACTIONS_SETUP_GO, with: { 'go-version-file': 'test/packages/go/go.mod', 'cache': false } },
];

/**
 * One CI: the pull-request build workflow runs `.ci/run`, the script a developer runs, so a pull
 * request gets every check our CI gets (install, test, the full build with every package, the
 * generated-files check, demo, tarball, every language's package, cfn-lint, e2e).
 *
 * projen renders the build job as checkout, setup-node, install, the preBuildSteps
 * (CI_TOOLCHAIN_STEPS), `npx projen build`, then its mutation check and artifact upload. Its build
 * step becomes `.ci/run`, which runs that build itself, and its install step goes, since the script
 * starts with `npm ci`. Each patch first tests the step it changes, so a projen upgrade that moves
 * them fails `npx projen` instead of patching the wrong step.
 */
export function runCiScriptInBuildWorkflow(project: awscdk.AwsCdkConstructLibrary): void {
  const workflow = project.github?.tryFindWorkflow('build');
  if (!workflow?.file) {
    throw new Error('no build workflow to run .ci/run in');
  }
  const install = 2;
  const build = install + 1 + CI_TOOLCHAIN_STEPS.length;
  const fail = TestFailureBehavior.FAIL_SYNTHESIS;
  workflow.file.patch(
    JsonPatch.test(`/jobs/build/steps/${build}/run`, 'npx projen build', fail),
    JsonPatch.replace(`/jobs/build/steps/${build}`, { name: 'CI checks (.ci/run)', run: '.ci/run' }),
    JsonPatch.test(`/jobs/build/steps/${install}/name`, 'Install dependencies', fail),
    JsonPatch.remove(`/jobs/build/steps/${install}`),
  );
}
