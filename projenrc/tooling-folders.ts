import { awscdk, JsonFile } from 'projen';

/** Folders of TypeScript beside lib/ and test/ that are type-checked and linted with the tests. */
const TOOLING = ['integ', 'bench', 'rosetta'];

/**
 * integ/ (integ-runner cases and snapshots), bench/ and rosetta/ are type-checked by tsconfigDev and
 * linted by ESLint like test/ (whose subfolders, the local AWS kit included, tsconfigDev already
 * covers). Their imports may come from devDependencies, as may the handler's, which esbuild bundles.
 */
export function lintToolingFolders(project: awscdk.AwsCdkConstructLibrary): void {
  // tsconfigDev lives in test/, so its includes are relative to it.
  project.tsconfigDev.addInclude('../lib/**/*.ts');
  for (const dir of TOOLING) {
    project.tsconfigDev.addInclude(`../${dir}/**/*.ts`);
  }
  project.eslint?.addLintPattern('integ');
  // ESLint's project service reads the tsconfig.json nearest to each file: give each folder one.
  for (const dir of TOOLING) {
    new JsonFile(project, `${dir}/tsconfig.json`, {
      obj: { extends: '../test/tsconfig.json', include: ['./**/*.ts', '../lib/**/*.ts'] },
    });
  }
  project.eslint?.allowDevDeps('lib/handler/**');
  project.eslint?.allowDevDeps('integ/**');
  project.eslint?.allowDevDeps('bench/**');
  project.eslint?.addLintPattern('bench');
  project.eslint?.addLintPattern('rosetta');
  project.eslint?.allowDevDeps('rosetta/**');
}
