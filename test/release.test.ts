import * as fs from 'fs';
import * as path from 'path';

// The release workflow cannot run here: check that what projen generated publishes every package the
// README lists, and that CONTRIBUTING.md (its Release section) names exactly the secrets it reads.
const ROOT = path.join(__dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

describe('release workflow', () => {
  const workflow = read('.github/workflows/release.yml');
  const readme = read('README.md');
  const contributing = read('CONTRIBUTING.md');

  test('publishes to npm, PyPI, Maven Central, NuGet and Go after the release job', () => {
    // GIVEN
    const jobs = [...workflow.matchAll(/^ {2}(release_\w+):\n {4}name: .*\n {4}needs: release$/gm)].map((m) => m[1]);
    // THEN
    expect(jobs.sort()).toEqual(['release_golang', 'release_maven', 'release_npm', 'release_nuget', 'release_pypi']);
    expect(workflow).toMatch(/^ {8}run: npx projen release$/m);
  });

  test('CONTRIBUTING.md names every secret the workflow reads, and no other', () => {
    // GIVEN
    const used = new Set([...workflow.matchAll(/secrets\.([A-Z_]+)/g)].map((m) => m[1]));
    used.delete('GITHUB_TOKEN'); // provided by GitHub Actions itself
    const section = contributing.split('\n## Release\n')[1]?.split('\n## ')[0] ?? '';
    // WHEN
    const documented = new Set([...section.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]));
    // THEN
    expect([...documented].sort()).toEqual([...used].sort());
  });

  test('the packages it builds are the ones the README lists', () => {
    // GIVEN
    const targets = JSON.parse(read('package.json')).jsii.targets;
    const names = [
      targets.python.distName,
      `${targets.java.maven.groupId}:${targets.java.maven.artifactId}`,
      targets.dotnet.packageId,
      `${targets.go.moduleName}/${targets.go.packageName}`,
    ];
    // THEN
    for (const name of names) {
      expect(readme).toContain(`| \`${name}\` |`);
    }
  });

  test('every tool it runs with the publishing secrets in reach is pinned, never @latest', () => {
    // GIVEN the npx calls of the release workflow
    const runs = [...workflow.matchAll(/npx '-p' '([^']+)'/g)].map((m) => m[1]);
    // THEN publib is called in every publish job, at one exact version
    expect(runs.length).toBeGreaterThanOrEqual(5);
    for (const pkg of runs) expect(pkg).toMatch(/^publib@\d+\.\d+\.\d+$/);
  });
});
