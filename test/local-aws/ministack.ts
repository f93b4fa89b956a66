/**
 * MiniStack (MIT, pinned in ministack-requirements.txt): a local AWS with a CloudFormation engine
 * that runs Lambda functions as local Node processes. The kit starts it from its own virtualenv
 * (.e2e/ministack-venv) through ministack_server.py, which adds the providers MiniStack lacks, on
 * 127.0.0.1 and a free port, with AUTH=true so that it evaluates the IAM policies of every request
 * signed by a role session, and stops it by PID.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { freePort } from './net';
import { ensureVenv, PROJECT_ROOT } from './python-venv';
import { ACCOUNT, REGION } from './template';

const VENV = path.join(PROJECT_ROOT, '.e2e', 'ministack-venv');
const REQUIREMENTS = path.join(__dirname, 'ministack-requirements.txt');

/** MiniStack's virtualenv with the pinned version; returns its Python. */
export function ensureMiniStackVenv(log?: (line: string) => void): string {
  return ensureVenv(VENV, REQUIREMENTS, { systemSitePackages: false }, log);
}

export interface MiniStackOptions {
  /**
   * More environment for MiniStack, which passes its own environment on to the functions it runs:
   * the way to give the handler its CodeArtifact endpoint (`AWS_ENDPOINT_URL_CODEARTIFACT`).
   */
  readonly env?: Record<string, string>;
  /** Called with the port before MiniStack starts, for environment that names MiniStack's own URL. */
  readonly envFor?: (url: string) => Record<string, string>;
  readonly log?: (line: string) => void;
}

export class MiniStack {
  public static async start(opts: MiniStackOptions = {}): Promise<MiniStack> {
    const python = ensureMiniStackVenv(opts.log);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    // Its own temporary directory (function code, workers), removed by stop(): MiniStack leaves them behind.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ministack-'));
    const proc = spawn(python, [path.join(__dirname, 'ministack_server.py')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        // Only what MiniStack needs: it hands its environment to every function it runs.
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        TMPDIR: tmp,
        PYTHONUNBUFFERED: '1',
        GATEWAY_PORT: String(port),
        BIND_HOST: '127.0.0.1',
        // The host name in the ResponseURL it gives custom resources, and in its other URLs.
        MINISTACK_HOST: '127.0.0.1',
        MINISTACK_ACCOUNT_ID: ACCOUNT,
        MINISTACK_REGION: REGION,
        AUTH: 'true',
        ...opts.env,
        ...opts.envFor?.(url),
      },
    });
    const server = new MiniStack(proc, url, port, tmp);
    proc.stdout!.on('data', (d) => { server.output += d; });
    proc.stderr!.on('data', (d) => { server.output += d; });
    const started = Date.now();
    while (!(await server.isUp())) {
      if (proc.exitCode !== null || Date.now() - started > 30_000) {
        await server.stop();
        throw new Error(`MiniStack did not start (exit code ${proc.exitCode}):\n${server.output.slice(-3000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return server;
  }

  /** Everything MiniStack and the functions it ran printed (the handler's log lines among them). */
  public output = '';

  private constructor(private readonly proc: ChildProcess, public readonly url: string, public readonly port: number, private readonly tmp: string) {}

  public get pid(): number | undefined {
    return this.proc.pid;
  }

  /** Stops MiniStack by its PID (SIGTERM, then SIGKILL after 5 s; its function workers exit with it) and removes its temporary directory. */
  public async stop(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      const exited = new Promise((r) => this.proc.once('exit', r));
      this.proc.kill('SIGTERM');
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }

  private isUp(): Promise<boolean> {
    return new Promise((resolve) => {
      const req = http.get(`${this.url}/_ministack/health`, (res) => {
        res.resume();
        resolve((res.statusCode ?? 500) < 500);
      });
      req.on('error', () => resolve(false));
    });
  }
}
