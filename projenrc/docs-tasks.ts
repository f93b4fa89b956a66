import { awscdk } from 'projen';

/**
 * Every README snippet compiles in strict mode against the assembly (rosetta/default.ts-fixture puts it
 * in a stack's constructor), so Construct Hub's Python, Java, C# and Go renderings are valid code. The
 * README's Python quick start is the translation itself, checked on every compile.
 */
export function addDocsTasks(project: awscdk.AwsCdkConstructLibrary): void {
  const rosettaExtract = project.addTask('rosetta:extract', {
    description: 'Compile every README and doc snippet with jsii-rosetta in strict mode and translate it',
    exec: 'jsii-rosetta extract --strict',
  });
  project.addTask('docs:python', {
    description: "Rewrite the README's Python quick start from jsii-rosetta's translation of the TypeScript one",
    steps: [
      { spawn: rosettaExtract.name },
      { exec: 'ts-node --project test/tsconfig.json rosetta/python-quick-start.ts' },
    ],
  });
  const docsCheck = project.addTask('docs:check', {
    description: 'Check that every README snippet compiles in strict mode and the Python quick start is its translation',
    steps: [
      { spawn: rosettaExtract.name },
      { exec: 'ts-node --project test/tsconfig.json rosetta/python-quick-start.ts --check' },
      { exec: 'ts-node --project test/tsconfig.json rosetta/api-docs.ts' },
    ],
  });
  project.postCompileTask.spawn(docsCheck);
}
