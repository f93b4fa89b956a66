/**
 * The README's shell snippets, run literally. A snippet is the fenced code block right after a line
 * `<!-- snippet: NAME -->`:
 *
 *   <!-- snippet: npm-login -->
 *   ```bash
 *   npm config set registry ...
 *   ```
 *
 * `runBashSnippet` runs one under `bash -euo pipefail` with only the environment it is given (plus
 * PATH and a temporary HOME that keeps npm and pip off the user's own configuration), and redacts the
 * given secrets from its output.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Watchable } from './net';
import { isolatedClientEnv, npmDebugLogs, redact } from './package-clients';
import { PROJECT_ROOT } from './python-venv';

export const README = path.join(PROJECT_ROOT, 'README.md');

/** The body of the fenced code block right after `<!-- snippet: NAME -->` (blank lines between are allowed). */
export function readmeSnippet(name: string, readmeFile: string = README): string {
  const lines = fs.readFileSync(readmeFile, 'utf8').split(/\r?\n/);
  const marker = /^\s*<!--\s*snippet:\s*(\S+)\s*-->\s*$/;
  const at = lines.flatMap((l, i) => (marker.exec(l)?.[1] === name ? [i] : []));
  const where = path.relative(process.cwd(), readmeFile) || readmeFile;
  if (at.length === 0) throw new Error(`no snippet "${name}" in ${where}: expected a line <!-- snippet: ${name} --> before a fenced code block`);
  if (at.length > 1) throw new Error(`snippet "${name}" is marked ${at.length} times in ${where} (lines ${at.map((i) => i + 1).join(', ')})`);
  let i = at[0] + 1;
  while (i < lines.length && lines[i].trim() === '') i++;
  const open = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)/.exec(lines[i] ?? '');
  if (!open) throw new Error(`snippet "${name}" in ${where} (line ${at[0] + 1}) is not followed by a fenced code block`);
  const [, indent, fence] = open;
  const body: string[] = [];
  for (i++; i < lines.length; i++) {
    const close = /^\s*(`{3,}|~{3,})\s*$/.exec(lines[i]);
    if (close && close[1][0] === fence[0] && close[1].length >= fence.length) return body.join('\n') + '\n';
    body.push(lines[i].startsWith(indent) ? lines[i].slice(indent.length) : lines[i]);
  }
  throw new Error(`snippet "${name}" in ${where} (line ${at[0] + 1}): its code block is never closed`);
}

export interface BashSnippetOptions {
  readonly cwd: string;
  /** The whole environment of the snippet, besides PATH (this one's, unless given) and the isolation settings. */
  readonly env: Record<string, string>;
  /** Default 60 s; then the snippet's process group is killed. */
  readonly timeoutMs?: number;
  /** Strings replaced by `<redacted>` in the output (each also URL-encoded and as a Basic `aws:` credential). */
  readonly redact?: readonly string[];
  /** Servers whose view of the requests made during the run goes into `trace` (the repository proxy, the repositories). */
  readonly watch?: readonly Watchable[];
}

export interface BashSnippetResult {
  readonly ok: boolean;
  /** null when the snippet was killed (timeout). */
  readonly exitCode: number | null;
  /** stdout and stderr interleaved, redacted. */
  readonly output: string;
  /** What the watched servers saw during the run, redacted: see `explainRun`. */
  readonly trace: readonly string[];
  /** A failed run's npm debug logs (npm writes them into the temporary HOME, removed after the run), redacted. */
  readonly clientLog?: string;
}

/** Runs `bash -euo pipefail -c script` in `cwd`, with a clean environment and a temporary HOME. */
export function runBashSnippet(script: string, opts: BashSnippetOptions): Promise<BashSnippetResult> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ca-snippet-home-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'C.UTF-8',
    ...isolatedClientEnv(home),
    ...opts.env,
  };
  const clean = (text: string) => (opts.redact ?? []).reduce((t, secret) => redact(t, secret, '<redacted>'), text);
  const seen = (opts.watch ?? []).map((w) => w.watch());
  return new Promise((resolve, reject) => {
    const proc = spawn('bash', ['-euo', 'pipefail', '-c', script], { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    proc.stdout.on('data', (d) => { output += d; });
    proc.stderr.on('data', (d) => { output += d; });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {
        proc.kill('SIGKILL');
      }
    }, opts.timeoutMs ?? 60000);
    let clientLog: string | undefined;
    const done = (failed: boolean) => {
      clearTimeout(timer);
      if (failed) clientLog = npmDebugLogs(home);
      fs.rmSync(home, { recursive: true, force: true });
    };
    proc.on('error', (e) => {
      done(false);
      reject(new Error(clean(`bash could not start: ${e.message}`)));
    });
    proc.on('close', (code) => {
      done(code !== 0);
      const text = timedOut ? `${output}\n[killed after ${opts.timeoutMs ?? 60000} ms]\n` : output;
      resolve({
        ok: code === 0,
        exitCode: code,
        output: clean(text),
        trace: seen.flatMap((lines) => lines()).sort(byTime).map(clean),
        ...(clientLog ? { clientLog: clean(clientLog) } : {}),
      });
    });
  });
}

/** Orders trace lines of several servers by the time of day they start with (`clock()`); the sort is stable. */
function byTime(a: string, b: string): number {
  return a.slice(0, 12).localeCompare(b.slice(0, 12));
}

/** A client run, as `runBashSnippet` and the package-clients give it back. */
export interface ClientRun {
  readonly ok: boolean;
  readonly exitCode: number | null;
  readonly output: string;
  readonly trace?: readonly string[];
  readonly clientLog?: string;
}

/**
 * What a failed (or unexpectedly successful) client run says about itself: its exit, the client's own
 * output (redacted already) and what the proxy and the repositories saw of its requests, for a test
 * failure or the demo to print.
 */
export function explainRun(run: ClientRun): string {
  const exit = run.exitCode === null ? 'was killed (timeout)' : `exited ${run.exitCode}`;
  const trace = run.trace === undefined ? [] : ['', `what the proxy and the repositories saw (${run.trace.length} events):`,
    ...(run.trace.length > 0 ? run.trace.map((l) => `  ${l}`) : ['  nothing: no request reached them'])];
  const log = run.clientLog ? ['', 'its debug log:', ...indented(run.clientLog)] : [];
  return [`${exit}; the client's output:`, ...indented(run.output), ...log, ...trace].join('\n');
}

function indented(text: string): string[] {
  const lines = text.replace(/\s+$/, '').split('\n');
  return lines.length === 1 && lines[0] === '' ? ['  (none)'] : lines.map((l) => `  ${l}`);
}
