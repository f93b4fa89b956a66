import { awscdk } from 'projen';

/**
 * After every compile: every README snippet compiles in strict mode against the assembly
 * (rosetta/default.ts-fixture puts it in a stack's constructor), so the Python, Java, C# and Go
 * translations Construct Hub and jsii-pacmak make of it are valid code; and every public member is
 * documented, every optional prop with its `@default` (rosetta/api-docs.ts).
 */
export function addDocsTasks(project: awscdk.AwsCdkConstructLibrary): void {
  const rosettaExtract = project.addTask('rosetta:extract', {
    description: 'Compile every README and doc snippet with jsii-rosetta in strict mode and translate it',
    exec: 'jsii-rosetta extract --strict',
  });
  const docsCheck = project.addTask('docs:check', {
    description: 'Check that every README snippet compiles in strict mode and every public member is documented',
    steps: [
      { spawn: rosettaExtract.name },
      { exec: 'ts-node --project test/tsconfig.json rosetta/api-docs.ts' },
    ],
  });
  project.postCompileTask.spawn(docsCheck);
}
