/**
 * The Maven plugins a jar project's `package` and `deploy` run (resources, compiler, surefire, jar,
 * install, deploy, at the versions this mvn binds by default), downloaded once from Maven Central into
 * `.e2e/maven/plugins` (gitignored with all of `.e2e/`), the way the kit's Python comes from PyPI.
 *
 * The e2e's mvn then runs behind the repository proxy, which refuses Maven Central: each run gets a
 * copy of this local repository (`mavenLocalRepository`), so that it finds its plugins there and asks
 * the network only for what the test is about, the CodeArtifact repository's artifacts. A copy, not
 * the cache itself: what a run downloads or installs must not be there for the next run.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PROJECT_ROOT } from './python-venv';

export const MAVEN_PLUGINS_DIR = path.join(PROJECT_ROOT, '.e2e', 'maven', 'plugins');
const READY = path.join(MAVEN_PLUGINS_DIR, '.ready');

/**
 * The `<properties>` every test project's pom carries: this mvn's default maven-compiler-plugin (3.1)
 * knows `source` and `target`, not `release`.
 */
export const MAVEN_PROJECT_PROPERTIES = `<properties>
    <maven.compiler.source>17</maven.compiler.source>
    <maven.compiler.target>17</maven.compiler.target>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>`;

/** A jar project's pom: coordinates, the properties above, and anything more (dependencies, distributionManagement). */
export function mavenPom(groupId: string, artifactId: string, version: string, more = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>${groupId}</groupId>
  <artifactId>${artifactId}</artifactId>
  <version>${version}</version>
  ${MAVEN_PROJECT_PROPERTIES}
${more}</project>
`;
}

/** Downloads the plugins unless a previous run did; `log` gets a line when it does. */
export function ensureMavenPlugins(log: (line: string) => void = () => undefined): string {
  if (fs.existsSync(READY)) return MAVEN_PLUGINS_DIR;
  log(`downloading the Maven plugins of package and deploy into ${path.relative(PROJECT_ROOT, MAVEN_PLUGINS_DIR)}`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ca-maven-warm-'));
  try {
    fs.writeFileSync(path.join(work, 'pom.xml'), mavenPom('com.example.warm', 'warm', '1.0.0'));
    fs.mkdirSync(path.join(work, 'src', 'main', 'java', 'warm'), { recursive: true });
    fs.writeFileSync(path.join(work, 'src', 'main', 'java', 'warm', 'Warm.java'), 'package warm;\npublic class Warm {}\n');
    execFileSync('mvn', ['-B', '-ntp', `-Dmaven.repo.local=${MAVEN_PLUGINS_DIR}`, 'deploy',
      `-DaltDeploymentRepository=warm::default::file://${path.join(work, 'deployed')}`], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
  } catch (e) {
    const err = e as { stdout?: Buffer; message: string };
    throw new Error(`mvn could not download its plugins from Maven Central: ${err.stdout?.toString().split('\n').filter((l) => l.includes('ERROR')).join('\n') || err.message}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  // Only the plugins: not what the warm-up itself built and installed.
  fs.rmSync(path.join(MAVEN_PLUGINS_DIR, 'com', 'example'), { recursive: true, force: true });
  fs.writeFileSync(READY, `${new Date().toISOString()}\n`);
  return MAVEN_PLUGINS_DIR;
}

/** A fresh local repository under `parent` holding the plugins: what `-Dmaven.repo.local` of one run names. */
export function mavenLocalRepository(parent: string): string {
  const dir = fs.mkdtempSync(path.join(parent, 'm2-'));
  fs.cpSync(ensureMavenPlugins(), dir, { recursive: true });
  return dir;
}
