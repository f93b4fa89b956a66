/**
 * What the specs of real package managers share: the two tokens of integ/integ.repositories.ts
 * (Reader: shared, read; Publisher: releases, read and publish), each deployed into its own local AWS
 * with the same packages seeded in both repositories; users' project directories; and the README's
 * snippets run in them, optionally pointed elsewhere.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ACCOUNT, BashSnippetResult, E2eEnv, readmeSnippet, REGION, REPOSITORIES_OUT, REPOSITORIES_STACK, RepositoryRequest } from '../local-aws';

/** Deploys one token of the repositories stack (`Reader` or `Publisher`) and seeds both repositories. */
export async function deployRepositoriesToken(token: 'Reader' | 'Publisher'): Promise<E2eEnv> {
  const env = await E2eEnv.start({ cdkOut: REPOSITORIES_OUT, stackName: REPOSITORIES_STACK, token });
  await env.createStackResources();
  const created = await env.cfn('Create');
  if (created.response?.Status !== 'SUCCESS') {
    await env.stop();
    throw new Error(`the ${token} token's Create failed: ${created.response?.Reason ?? created.invoke.error}`);
  }
  for (const repo of ['shared', 'releases']) {
    env.repositories.seedNpm(env.domainName, ACCOUNT, REGION, repo, 'left-pad', '1.3.0');
    env.repositories.seedNpm(env.domainName, ACCOUNT, REGION, repo, `only-in-${repo}`, '1.0.0');
    env.repositories.seedPypi(env.domainName, ACCOUNT, REGION, repo, 'acme-tools', '0.1.0');
  }
  return env;
}

const dirs: string[] = [];

/** A new working directory holding `files`, as a user's project would be. */
export function project(files: Record<string, string | Buffer> = { 'package.json': JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }) }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ca-consumer-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

/** Removes every directory `project` made. */
export function removeProjects(): void {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** Runs README snippets, with `edit` applied to the script (to point a snippet elsewhere; it must change something). */
export async function runSnippets(env: E2eEnv, names: string[], cwd: string,
  opts: { edit?: (s: string) => string; env?: Record<string, string> } = {}): Promise<BashSnippetResult> {
  const script = names.map((n) => readmeSnippet(n)).join('\n');
  const edited = opts.edit ? opts.edit(script) : script;
  if (opts.edit) expect(edited).not.toBe(script);
  return env.runScript(edited, { cwd, env: opts.env });
}

/** An edit that points a snippet's `.endpoints.FROM.FORMAT` at the endpoint template's repository `to`. */
export function toRepository(from: string, format: 'npm' | 'pypi', to: string): (s: string) => string {
  return (s) => s.split(`'.endpoints.${from}.${format}'`).join(`'.endpointTemplate | sub("{format}"; "${format}") | sub("{repository}"; "${to}")'`);
}

/** The requests the repositories did not allow, since `since`. */
export function denials(env: E2eEnv, since: number): RepositoryRequest[] {
  return env.repositories.requests.slice(since).filter((r) => r.decision !== 'allowed');
}
