import { awscdk } from 'projen';

/**
 * What scratch folders builds, tests and the bench write: never committed and never packed. One list
 * for both ignore files, since jsii-pacmak embeds the `npm pack` of this folder in every language's
 * package (a venv left out of .npmignore once shipped inside the jar and the Go module).
 */
const SCRATCH = ['/cdk.out/', '/.e2e/', '/.bench/', '/.packages/', '/.cfn-lint/', '/.jsii.tabl.json'];

/**
 * lib/ is the source folder here (sources and jsii's output side by side): git keeps the sources and
 * ignores the output; the npm package ships the compiled construct and the bundled handler asset, not
 * the sources, the handler's modules, the tooling folders or the contributors' guide.
 */
export function configureIgnoreFiles(project: awscdk.AwsCdkConstructLibrary): void {
  // Undo projen's "lib is build output" ignores.
  project.gitignore.removePatterns('/lib');
  project.npmignore?.removePatterns('/lib/', '!/lib/', '!/lib/**/*.js', '!/lib/**/*.d.ts');
  project.npmignore?.addPatterns(
    '/lib/**/*.ts', '!/lib/**/*.d.ts', '!/lib/**/*.js', '/lib/handler/', '!/assets/',
    '/integ/', '/bench/', '/rosetta/', '/.ci/', '/CONTRIBUTING.md',
  );
  project.gitignore.addPatterns(...SCRATCH);
  project.npmignore?.addPatterns(...SCRATCH);
}
