import { awscdk, TaskShell } from 'projen';

/**
 * Building every jsii language's package on a developer's machine, and using each one the way its
 * CDK users would.
 */
export function addPackageTasks(project: awscdk.AwsCdkConstructLibrary): void {
  // .NET: jsii-pacmak needs a dotnet SDK. The release workflow sets one up; a machine without one says
  // so loudly instead of failing `build` or passing silently. (`if` is beyond projen's built-in
  // cross-platform shell, hence bash.)
  const packageDotnet = project.tasks.tryFind('package:dotnet')!;
  packageDotnet.reset(
    'if command -v dotnet >/dev/null 2>&1; then jsii-pacmak -v --target dotnet; ' +
    'else echo "package:dotnet SKIPPED: no dotnet SDK on this machine, so no NuGet package was built ' +
    '(the release workflow builds and publishes it with actions/setup-dotnet)" >&2; fi',
  );
  packageDotnet.shell = TaskShell.bash();
  // Go: generate the module's source only. jsii-pacmak's own `go mod tidy` check needs every aws-cdk-go
  // dependency from the Go module proxy, which not every proxy serves; test:packages compiles and runs
  // the generated package from a Go app instead, and publib-golang publishes the source.
  project.tasks.tryFind('package:go')?.reset('jsii-pacmak -v --target go --code-only');

  // A TypeScript CDK app installs the packed tarball and uses every public member.
  project.addTask('test:tarball', {
    description: 'Pack the npm tarball and use every public member from a fresh TypeScript CDK app',
    steps: [
      { spawn: project.bundler.bundleTask.name },
      { spawn: 'compile' },
      { spawn: 'package:js' },
      { exec: 'bash test/packages/typescript/run.sh' },
    ],
  });
  // Python in a venv with the built wheel, a Maven project on the built jar, a Go module on the
  // generated package: each synthesizes and asserts on the template. .NET is reported as skipped
  // where no dotnet SDK exists.
  project.addTask('test:packages', {
    description: 'Build the Python, Java and Go packages and synthesize a small app with each, asserting on the template',
    steps: [
      { spawn: 'compile' },
      { exec: 'bash test/packages/run.sh' },
    ],
  });
}
