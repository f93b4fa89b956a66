/**
 * mvn and Cargo as users meet them: the README's Maven and Cargo snippets, run word for word with the
 * real `mvn` and `cargo`, against the local CodeArtifact's Maven repositories and Cargo registries at
 * their real host names, through the kit's TLS proxy. Every request is decided by the identity the
 * token carries (the issuer role's policies as synthesized, intersected with the token's session
 * policy). The two tokens of integ/integ.repositories.ts: Reader (shared, read) and Publisher
 * (releases, read and publish).
 *
 * Offline but for the proxy: mvn gets a copy of the kit's plugin repository (`mavenLocalRepository`)
 * and the proxy settings and trust store through MAVEN_OPTS; Cargo its proxy and CA through the
 * environment; the proxy refuses every host but the repositories'. When a client run fails where it
 * should not (or passes where it should fail), the test fails with the client's own output (tokens
 * redacted) and the repositories' view of every request it made.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  ACCOUNT, BashSnippetResult, cargoIndexPath, cargoRoute, E2eEnv, ensureMavenPlugins, mavenLocalRepository, mavenPom, mavenRoute,
  PackageRepositories, readmeSnippet, REGION, zipStored,
} from '../local-aws';
import { deployRepositoriesToken } from './repositories-stack';

let reader: E2eEnv;
let publisher: E2eEnv;
let work: string;
/** The jar of com.example.shared:greeting:1.0.0: one class, `Greeting.text()`, compiled here. */
let greetingJar: Buffer;

const SHARED_GROUP = 'com.example.shared';

/** One token of the repositories stack, with the Maven and Cargo packages seeded besides the npm and PyPI ones. */
async function deploy(token: 'Reader' | 'Publisher'): Promise<E2eEnv> {
  const env = await deployRepositoriesToken(token);
  for (const repo of ['shared', 'releases']) {
    env.repositories.seedMaven(env.domainName, ACCOUNT, REGION, repo, SHARED_GROUP, 'greeting', '1.0.0', greetingJar);
    env.repositories.seedCargo(env.domainName, ACCOUNT, REGION, repo, 'greeting', '1.0.0');
  }
  return env;
}

/** A new directory holding `files`: a user's project. */
function project(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(work, 'project-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

function compileGreetingJar(): Buffer {
  const src = fs.mkdtempSync(path.join(work, 'greeting-'));
  fs.mkdirSync(path.join(src, 'com', 'example', 'shared'), { recursive: true });
  fs.writeFileSync(path.join(src, 'com', 'example', 'shared', 'Greeting.java'),
    'package com.example.shared;\npublic class Greeting {\n  public static String text() { return "greeting 1.0.0"; }\n}\n');
  execFileSync('javac', ['--release', '17', '-d', path.join(src, 'out'), path.join(src, 'com', 'example', 'shared', 'Greeting.java')]);
  const cls = 'com/example/shared/Greeting.class';
  return zipStored([
    ['META-INF/MANIFEST.MF', Buffer.from('Manifest-Version: 1.0\r\n\r\n')],
    [cls, fs.readFileSync(path.join(src, 'out', cls))],
  ]);
}

/** A Maven project: a class calling `Greeting.text()` when it depends on greeting, and `more` in its pom. */
function mavenProject(groupId: string, artifactId: string, version: string, opts: { dependsOnGreeting?: boolean } = {}): string {
  const dependency = opts.dependsOnGreeting
    ? `  <dependencies>\n    <dependency>\n      <groupId>${SHARED_GROUP}</groupId>\n      <artifactId>greeting</artifactId>\n      <version>1.0.0</version>\n    </dependency>\n  </dependencies>\n`
    : '';
  const pkg = groupId.replace(/\./g, '/');
  const body = opts.dependsOnGreeting ? 'return com.example.shared.Greeting.text();' : `return "${artifactId} ${version}";`;
  return project({
    'pom.xml': mavenPom(groupId, artifactId, version, dependency),
    [`src/main/java/${pkg}/App.java`]: `package ${groupId};\npublic class App {\n  public static String text() { ${body} }\n}\n`,
  });
}

/** A Cargo package; with `greeting`, it depends on greeting 1 from the registry the README's config names. */
function cargoProject(name: string, version: string, opts: { greetingFrom?: string } = {}): string {
  const deps = opts.greetingFrom ? `greeting = { version = "1", registry = "${opts.greetingFrom}" }\n` : '';
  const main = opts.greetingFrom ? 'fn main() {\n    println!("{}", greeting::greeting());\n}\n' : 'fn main() {}\n';
  return project({
    'Cargo.toml': `[package]\nname = "${name}"\nversion = "${version}"\nedition = "2021"\ndescription = "a test crate"\nlicense = "MIT"\n\n[dependencies]\n${deps}`,
    'src/main.rs': main,
  });
}

/** The README's snippets (after `read-secret`), with `edit` applied, run as the token's user with mvn and Cargo set up offline. */
async function run(env: E2eEnv, snippet: string, cwd: string, edit?: (s: string) => string): Promise<ClientRun> {
  const script = [readmeSnippet('read-secret'), readmeSnippet(snippet)].join('\n');
  const edited = edit ? edit(script) : script;
  if (edit) expect(edited).not.toBe(script);
  const mark = env.repositories.requests.length;
  const connects = env.repositoryProxy.connects.length;
  // Java takes user.home (where mvn reads ~/.m2/settings.xml) from the passwd entry, not from HOME:
  // both name the run's own home, as they would for a user whose HOME is their home.
  const home = fs.mkdtempSync(path.join(work, 'home-'));
  const r = await env.runScript(edited, {
    cwd,
    env: {
      HOME: home,
      // The JIT's first tier and the serial collector start a short-lived JVM sooner on a loaded machine.
      MAVEN_OPTS: [...env.repositoryProxy.javaOptions(), `-Duser.home=${home}`, `-Dmaven.repo.local=${mavenLocalRepository(work)}`,
        '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'].join(' '),
      // Gradle keeps its caches under user.home (the passwd entry's) unless told; the build runs in
      // the client's JVM, which has the proxy's properties, and leaves no daemon behind
      GRADLE_USER_HOME: path.join(home, '.gradle'),
      GRADLE_OPTS: [...env.repositoryProxy.javaOptions(), `-Duser.home=${home}`, '-Dorg.gradle.daemon=false',
        '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'].join(' '),
      // cargo is rustup's proxy: its toolchains stay where they are installed, whatever HOME the run has
      RUSTUP_HOME: process.env.RUSTUP_HOME ?? path.join(os.homedir(), '.rustup'),
    },
  });
  return { r, mark, connects };
}

interface ClientRun {
  readonly r: BashSnippetResult;
  /** Where this run's requests start in the repositories' and the proxy's records. */
  readonly mark: number;
  readonly connects: number;
}

/** The CONNECTs the proxy refused during a run: any host but a repository's. */
const refusedConnects = (env: E2eEnv, run_: ClientRun) => env.repositoryProxy.connects.slice(run_.connects).filter((c) => !c.allowed);

/** The repositories' view of the requests a run made: method, path, status, decision and reason. */
function requestsSince(env: E2eEnv, mark: number): string {
  return env.repositories.requests.slice(mark)
    .map((q) => `${q.method} ${q.path} ${q.status} ${q.decision}${q.action ? ` ${q.action}` : ''}${q.reason ? `: ${q.reason}` : ''}`).join('\n');
}

/** Fails with the client's output and the repositories' view unless the run ended as expected. */
function expectRun(env: E2eEnv, run_: ClientRun, ok: boolean): void {
  if (run_.r.ok !== ok) {
    const proxy = refusedConnects(env, run_).map((c) => `${c.method} ${c.host}:${c.port} refused`).join('\n');
    throw new Error(`expected the client to ${ok ? 'succeed' : 'fail'}, it exited with ${run_.r.exitCode}\n`
      + `--- its output (tokens redacted) ---\n${run_.r.output}\n--- the repositories' view ---\n${requestsSince(env, run_.mark) || '(no request)'}\n`
      + `--- connections the proxy refused ---\n${proxy || '(none)'}`);
  }
}

const toReleases = (format: string) => `'.endpointTemplate | sub("{format}"; "${format}") | sub("{repository}"; "releases")'`;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ca-jvm-cargo-'));
  ensureMavenPlugins((line) => console.log(`e2e: ${line}`));
  greetingJar = compileGreetingJar();
  [reader, publisher] = await Promise.all([deploy('Reader'), deploy('Publisher')]);
}, 300_000);

afterAll(async () => {
  await Promise.all([reader?.stop(), publisher?.stop()]);
  if (work) fs.rmSync(work, { recursive: true, force: true, maxRetries: 3 });
});

describe('mvn', () => {
  test('the reader: mvn package, with settings.xml as the README writes it, compiles against a dependency from shared', async () => {
    // GIVEN a project whose class calls the dependency's; WHEN the README's commands run
    const cwd = mavenProject('com.example.consumer', 'consumer', '1.0.0', { dependsOnGreeting: true });
    const run_ = await run(reader, 'maven-package', cwd);
    // THEN it built, and the dependency came from shared through the real host name
    expectRun(reader, run_, true);
    expect(fs.existsSync(path.join(cwd, 'target', 'consumer-1.0.0.jar'))).toBe(true);
    const gets = reader.repositories.requests.slice(run_.mark).filter((q) => q.status === 200).map((q) => q.path.split('/maven/')[1]);
    expect(gets).toEqual(expect.arrayContaining([
      'shared/com/example/shared/greeting/1.0.0/greeting-1.0.0.pom',
      'shared/com/example/shared/greeting/1.0.0/greeting-1.0.0.jar',
    ]));
    // AND nothing but the repository was asked for: Maven Central was never tried
    expect(refusedConnects(reader, run_)).toEqual([]);
  });

  test('the reader: another repository (releases) answers 403, and mvn deploy into it is refused', async () => {
    // WHEN the read token resolves from releases
    const read = await run(reader, 'maven-package', mavenProject('com.example.consumer', 'consumer', '1.0.1', { dependsOnGreeting: true }),
      (s) => s.replace('\'.clients.shared.maven.url\'', toReleases('maven')));
    // THEN refused for reading, by the token's session policy (the issuer role may read releases)
    expectRun(reader, read, false);
    const denied = reader.repositories.requests.slice(read.mark).filter((q) => q.decision === 'denied');
    expect(denied[0]).toMatchObject({ status: 403, action: 'codeartifact:ReadFromRepository' });
    expect(denied[0].reason).toMatch(/no session statement allows codeartifact:ReadFromRepository on .*repository\/.*\/releases/);
    // WHEN it deploys there
    const deployRun = await run(reader, 'maven-deploy', mavenProject('com.example.releases', 'reader-attempt', '1.0.0'),
      (s) => s.replace('\'.clients.releases.maven.url\'', toReleases('maven')).replace('\'.clients.releases.maven.id\'', '\'.clients.shared.maven.id\''));
    // THEN the first upload is refused, for publishing, and nothing was stored
    expectRun(reader, deployRun, false);
    expect(deployRun.r.output).toMatch(/403/);
    const refused = reader.repositories.requests.slice(deployRun.mark).find((q) => q.method === 'PUT')!;
    expect(refused).toMatchObject({ status: 403, decision: 'denied', action: 'codeartifact:PublishPackageVersion' });
    expect(refused.arn).toMatch(/:package\/.*\/releases\/maven\/com\.example\.releases\/reader-attempt$/);
    expect(reader.repositories.mavenVersions(reader.domainName, ACCOUNT, REGION, 'releases', 'com.example.releases', 'reader-attempt')).toEqual([]);
  });

  test('the publisher: mvn deploy, as the README says, deploys to releases, each upload authorized for PublishPackageVersion and PutPackageMetadata', async () => {
    // WHEN
    const cwd = mavenProject('com.example.releases', 'release-lib', '2.0.0');
    const deployRun = await run(publisher, 'maven-deploy', cwd);
    // THEN the jar, the pom and the metadata were stored, each upload authorized for both actions
    expectRun(publisher, deployRun, true);
    const repos = publisher.repositories;
    expect(repos.mavenVersions(publisher.domainName, ACCOUNT, REGION, 'releases', 'com.example.releases', 'release-lib')).toEqual(['2.0.0']);
    expect(repos.mavenFile(publisher.domainName, ACCOUNT, REGION, 'releases', 'com/example/releases/release-lib/2.0.0/release-lib-2.0.0.jar'))
      .toEqual(fs.readFileSync(path.join(cwd, 'target', 'release-lib-2.0.0.jar')));
    const puts = repos.requests.slice(deployRun.mark).filter((q) => q.method === 'PUT');
    expect(puts.map((q) => q.path.split('/release-lib/')[1])).toEqual(expect.arrayContaining([
      '2.0.0/release-lib-2.0.0.jar', '2.0.0/release-lib-2.0.0.pom', 'maven-metadata.xml',
    ]));
    for (const q of puts) {
      expect(q).toMatchObject({ status: 201, decision: 'allowed', actions: ['codeartifact:PublishPackageVersion', 'codeartifact:PutPackageMetadata'] });
    }
  });

  test('a Maven upload needs PutPackageMetadata as well: a token with PublishPackageVersion alone is refused', async () => {
    // GIVEN repositories whose one token may read and PublishPackageVersion, but not PutPackageMetadata
    const repos = await PackageRepositories.start({
      authorize: ({ token, action }) => token !== 'publish-only' ? { allowed: false, unauthenticated: true, reason: 'unknown token' }
        : action === 'codeartifact:PutPackageMetadata' ? { allowed: false, reason: 'no statement allows it' } : { allowed: true },
    });
    try {
      repos.addRepository('d', ACCOUNT, REGION, 'r');
      const url = repos.endpoint('d', ACCOUNT, REGION, 'maven', 'r') + 'com/example/x/1.0.0/x-1.0.0.jar';
      const headers = { authorization: `Basic ${Buffer.from('aws:publish-only').toString('base64')}` };
      // WHEN it uploads a jar
      const res = await fetch(url, { method: 'PUT', headers, body: 'jar' });
      // THEN 403 naming the missing action, and nothing stored
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('codeartifact:PutPackageMetadata on arn:aws:codeartifact:eu-west-1:123456789012:package/d/r/maven/com.example/x');
      expect(repos.mavenVersions('d', ACCOUNT, REGION, 'r', 'com.example', 'x')).toEqual([]);
      // AND reading needs ReadFromRepository only; an unknown token is 401
      expect((await fetch(url, { headers })).status).toBe(404);
      expect((await fetch(url, { headers: { authorization: `Basic ${Buffer.from('aws:other').toString('base64')}` } })).status).toBe(401);
    } finally {
      await repos.stop();
    }
  });
});

describe('Gradle', () => {
  /** A Java project whose build.gradle holds the README's repository block and a dependency on greeting. */
  const gradleProject = () => project({
    'build.gradle': `apply plugin: 'java'\n\n${readmeSnippet('gradle-repositories')}\ndependencies {\n    compile '${SHARED_GROUP}:greeting:1.0.0'\n}\n`,
    'settings.gradle': 'rootProject.name = \'consumer\'\n',
    'src/main/java/consumer/App.java': 'package consumer;\npublic class App {\n  public static String text() { return com.example.shared.Greeting.text(); }\n}\n',
  });

  test('the reader: gradle build, with the README\'s repository block, compiles against a dependency from shared', async () => {
    const cwd = gradleProject();
    const run_ = await run(reader, 'gradle-build', cwd);
    expectRun(reader, run_, true);
    expect(fs.existsSync(path.join(cwd, 'build', 'libs', 'consumer.jar'))).toBe(true);
    const gets = reader.repositories.requests.slice(run_.mark).filter((q) => q.status === 200).map((q) => q.path.split('/maven/')[1]);
    expect(gets).toEqual(expect.arrayContaining(['shared/com/example/shared/greeting/1.0.0/greeting-1.0.0.jar']));
    expect(refusedConnects(reader, run_)).toEqual([]);
  });

  test('the reader: another repository (releases) answers 403', async () => {
    const run_ = await run(reader, 'gradle-build', gradleProject(), (s) => s.replace('\'.clients.shared.maven.url\'', toReleases('maven')));
    expectRun(reader, run_, false);
    expect(reader.repositories.requests.slice(run_.mark).filter((q) => q.decision === 'denied')[0].reason)
      .toMatch(/no session statement allows codeartifact:ReadFromRepository on .*repository\/.*\/releases/);
  });
});

describe('Cargo', () => {
  test('the reader: cargo build, with the registry configured as the README says, builds against a crate from shared', async () => {
    // GIVEN a package depending on greeting from the README's registry name
    const secret = JSON.parse((await reader.value())!.value);
    const cwd = cargoProject('consumer', '0.1.0', { greetingFrom: secret.clients.shared.cargo.registry });
    // WHEN
    const run_ = await run(reader, 'cargo-build', cwd);
    // THEN it built and runs, with the crate from shared; the token went in Cargo's Authorization header
    expectRun(reader, run_, true);
    expect(execFileSync(path.join(cwd, 'target', 'debug', 'consumer'), { encoding: 'utf8' })).toBe('greeting 1.0.0\n');
    const served = reader.repositories.requests.slice(run_.mark).filter((q) => q.status === 200).map((q) => q.path.split('/cargo/')[1]);
    expect(served).toEqual(['shared/config.json', 'shared/gr/ee/greeting', 'shared/api/v1/crates/greeting/1.0.0/download']);
    // AND its first request, without a token, was answered 401, as a registry that requires authentication answers
    expect(reader.repositories.requests[run_.mark]).toMatchObject({ path: expect.stringMatching(/\/cargo\/shared\/config\.json$/), status: 401 });
    expect(refusedConnects(reader, run_)).toEqual([]);
  });

  test('the reader: another registry (releases) answers 403, and cargo publish into its own is refused', async () => {
    const secret = JSON.parse((await reader.value())!.value);
    // WHEN it builds from releases
    const read = await run(reader, 'cargo-build', cargoProject('consumer', '0.1.1', { greetingFrom: secret.clients.shared.cargo.registry }),
      (s) => s.replace('jq -r \'.clients.shared.cargo.index\'', `jq -r '"sparse+" + (${toReleases('cargo').slice(1, -1)})'`));
    // THEN refused by its session policy
    expectRun(reader, read, false);
    expect(read.r.output).toMatch(/403/);
    const denied = reader.repositories.requests.slice(read.mark).filter((q) => q.decision === 'denied');
    expect(denied[0].reason).toMatch(/no session statement allows codeartifact:ReadFromRepository on .*repository\/.*\/releases/);
    // WHEN it publishes to shared, which it may read
    const pub = await run(reader, 'cargo-publish', cargoProject('reader-crate', '0.1.0'), (s) => s.replace(/\.clients\.releases\./g, '.clients.shared.'));
    // THEN the upload is refused: no token of the stack may publish to shared, so the issuer role's own policy refuses it
    expectRun(reader, pub, false);
    const refused = reader.repositories.requests.slice(pub.mark).find((q) => q.method === 'PUT')!;
    expect(refused).toMatchObject({ status: 403, decision: 'denied', action: 'codeartifact:PublishPackageVersion' });
    expect(refused.reason).toMatch(/no identity statement allows codeartifact:PublishPackageVersion on .*\/shared\/cargo\/\/reader-crate/);
    expect(reader.repositories.cargoVersions(reader.domainName, ACCOUNT, REGION, 'shared', 'reader-crate')).toEqual([]);
  });

  test('the publisher: cargo publish, as the README says, publishes to releases', async () => {
    const run_ = await run(publisher, 'cargo-publish', cargoProject('release-crate', '0.3.0'));
    expectRun(publisher, run_, true);
    expect(publisher.repositories.cargoVersions(publisher.domainName, ACCOUNT, REGION, 'releases', 'release-crate')).toEqual(['0.3.0']);
    const put = publisher.repositories.requests.slice(run_.mark).find((q) => q.method === 'PUT')!;
    expect(put).toMatchObject({ status: 200, decision: 'allowed', action: 'codeartifact:PublishPackageVersion' });
    expect(put.arn).toMatch(/:package\/.*\/releases\/cargo\/\/release-crate$/);
  });
});

test('the routes: Maven coordinates from a deploy\'s paths, Cargo\'s index paths', () => {
  expect(mavenRoute('PUT', 'com/example/x/1.0/x-1.0.jar')).toEqual({ kind: 'maven-put', path: 'com/example/x/1.0/x-1.0.jar', groupId: 'com.example', artifactId: 'x' });
  expect(mavenRoute('PUT', 'com/example/x/maven-metadata.xml.sha1')).toMatchObject({ groupId: 'com.example', artifactId: 'x' });
  expect(mavenRoute('PUT', 'com/example/x/1.0-SNAPSHOT/maven-metadata.xml')).toMatchObject({ groupId: 'com.example', artifactId: 'x' });
  expect(mavenRoute('PUT', 'com/example/x/1.0/other-1.0.jar')).toBeUndefined();
  expect(mavenRoute('GET', 'com/../x/1.0/x-1.0.jar')).toBeUndefined();
  expect(['a', 'ab', 'abc', 'Greeting'].map(cargoIndexPath)).toEqual(['1/a', '2/ab', '3/a/abc', 'gr/ee/greeting']);
  expect(cargoRoute('GET', 'gr/ee/greeting')).toEqual({ kind: 'cargo-index', name: 'greeting' });
  expect(cargoRoute('GET', 'gr/ef/greeting')).toBeUndefined();
  expect(cargoRoute('PUT', 'api/v1/crates/new')).toEqual({ kind: 'cargo-publish' });
});

test('no token text reached a log line, a CloudFormation response or a client\'s output', () => {
  expect(reader.leaks()).toEqual([]);
  expect(publisher.leaks()).toEqual([]);
});
