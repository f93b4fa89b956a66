import { awscdk } from 'projen';

/**
 * The library on the aws-cdk-lib its users have: test/compat/run.sh type-checks lib/, runs the
 * construct tests and synthesizes the example app with the lowest aws-cdk-lib and constructs of the
 * peer range and with the newest, on the packed tarball.
 */
export function addCompatTask(project: awscdk.AwsCdkConstructLibrary): void {
  project.addTask('test:compat', {
    description: 'Type-check, unit-test and synthesize the example app on the oldest and the newest aws-cdk-lib the peer range accepts',
    steps: [
      { spawn: project.bundler.bundleTask.name },
      { spawn: 'compile' },
      { spawn: 'package:js' },
      { exec: 'bash test/compat/run.sh' },
    ],
  });
}
