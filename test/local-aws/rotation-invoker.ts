/**
 * What Secrets Manager does after RotateSecret: invoke the rotation function for each step. The
 * patched moto (moto_server.py) POSTs each step's event here; this runs it in the handler process
 * and records it, so that a spec can wait for a rotation started by RotateSecret to end.
 */
import * as http from 'http';
import { AddressInfo } from 'net';
import type { InvokeResult } from './lambda-process';

export interface RotationInvocation {
  readonly event: { SecretId: string; ClientRequestToken: string; Step: string };
  readonly result: InvokeResult;
}

export class RotationInvoker {
  public static async start(): Promise<RotationInvoker> {
    const invoker = new RotationInvoker();
    await new Promise<void>((resolve) => invoker.server.listen(0, '127.0.0.1', resolve));
    return invoker;
  }

  /** Every step invoked so far, in order. */
  public readonly invocations: RotationInvocation[] = [];
  /** Runs one step in the handler; set once the handler process is up. */
  public target?: (event: RotationInvocation['event']) => Promise<InvokeResult>;
  private readonly server: http.Server;

  private constructor() {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', async () => {
        const event = JSON.parse(body);
        const result = this.target ? await this.target(event) : { ok: false, error: 'no handler yet' } as InvokeResult;
        this.invocations.push({ event, result });
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ ok: result.ok }));
      });
    });
  }

  public get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  /** The steps of one rotation (by its version id), once it has finished or failed. */
  public async rotation(versionId: string, timeoutMs = 60_000): Promise<RotationInvocation[]> {
    const started = Date.now();
    for (;;) {
      const steps = this.invocations.filter((i) => i.event.ClientRequestToken === versionId);
      if (steps.some((s) => !s.result.ok) || steps.some((s) => s.event.Step === 'finishSecret')) return steps;
      if (Date.now() - started > timeoutMs) throw new Error(`rotation ${versionId} did not end within ${timeoutMs} ms: ${steps.map((s) => s.event.Step).join(', ')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  public stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
