/**
 * Stands in for CloudFormation's pre-signed ResponseURL: the handler PUTs its JSON answer here.
 */
import * as http from 'http';
import { close, listen, readBody } from './net';

export interface CfnResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly Data?: Record<string, string>;
  readonly NoEcho?: boolean;
}

export interface ReceivedResponse {
  readonly at: number;
  readonly path: string;
  /** Exactly what arrived, for the leak scan. */
  readonly raw: string;
  readonly contentType?: string;
  readonly body?: CfnResponse;
}

export class CfnResponseServer {
  public static async start(): Promise<CfnResponseServer> {
    const s = new CfnResponseServer();
    s.url = await listen(s.server);
    return s;
  }

  public url = '';
  public readonly received: ReceivedResponse[] = [];
  private readonly server = http.createServer((req, res) => void this.handle(req, res));

  private constructor() {}

  /** A ResponseURL shaped like S3's pre-signed one. */
  public responseUrl(requestId: string): string {
    return `${this.url}/cloudformation-custom-resource-response/${requestId}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=e2e`;
  }

  public for(requestId: string): ReceivedResponse[] {
    return this.received.filter((r) => r.path.includes(`/${requestId}?`));
  }

  public stop(): Promise<void> {
    return close(this.server);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = (await readBody(req)).toString('utf8');
    let body: CfnResponse | undefined;
    try {
      body = JSON.parse(raw);
    } catch {
      body = undefined;
    }
    this.received.push({ at: Date.now(), path: req.url ?? '', raw, contentType: req.headers['content-type'], body });
    res.writeHead(req.method === 'PUT' ? 200 : 405);
    res.end();
  }
}
