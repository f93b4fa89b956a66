/**
 * A pass-through proxy in front of MiniStack for the AWS calls of the functions it runs (MiniStack
 * hands them its own `AWS_ENDPOINT_URL`): it records who called what, with which parameters, and
 * MiniStack's answer, so that each request MiniStack's IAM judged (AUTH=true) can be judged again by
 * the kit's evaluator. Only the operations the handler sends are decoded: Secrets Manager
 * (awsJson1_1, the operation in `X-Amz-Target`) and STS (the query protocol, `Action=` in the form
 * body, or its JSON protocol with `X-Amz-Target: AWSSecurityTokenServiceV20110615.Op`).
 */
import * as http from 'http';
import { close, listen, readBody } from './net';

export interface RecordedCall {
  /** The access key id of the SigV4 credential that signed the request. */
  readonly accessKeyId?: string;
  /** The signing service, e.g. `secretsmanager`, `sts`. */
  readonly service?: string;
  readonly operation: string;
  /** The request parameters (the JSON body, or the form fields). */
  readonly params: Record<string, any>;
  readonly status: number;
  /** The AWS error code of a failed call, e.g. `AccessDeniedException`. */
  readonly errorCode?: string;
  /** The response body, for a caller that needs what MiniStack returned (never logged: it may hold a token). */
  readonly response: string;
}

export class AwsCallRecorder {
  /** @param target MiniStack's URL; may be set later, before the first call (MiniStack needs the recorder's URL to start). */
  public static async start(target = ''): Promise<AwsCallRecorder> {
    const recorder = new AwsCallRecorder(target);
    recorder.url = await listen(recorder.server);
    return recorder;
  }

  public url = '';
  public readonly calls: RecordedCall[] = [];
  private readonly server = http.createServer((req, res) => void this.handle(req, res));

  private constructor(public target: string) {}

  public stop(): Promise<void> {
    return close(this.server);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readBody(req);
    const auth = String(req.headers.authorization ?? '');
    const credential = /Credential=([^/]+)\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(auth);
    const amzTarget = String(req.headers['x-amz-target'] ?? '');
    let params: Record<string, any> = {};
    let operation = amzTarget.split('.').pop() ?? '';
    if (amzTarget) {
      try {
        params = JSON.parse(body.toString('utf8') || '{}');
      } catch { /* not JSON: recorded without parameters */ }
    } else {
      params = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
      operation = params.Action ?? `${req.method} ${req.url}`;
    }
    // The headers as signed, Host included: MiniStack checks the SigV4 signature under AUTH=true.
    const upstream = http.request(`${this.target}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => {
        const answer = Buffer.concat(chunks);
        const text = answer.toString('utf8');
        const status = up.statusCode ?? 0;
        const errorCode = status >= 400
          ? String(up.headers['x-amzn-errortype'] ?? '').split(':')[0] || /<Code>([^<]+)<\/Code>/.exec(text)?.[1] || safeJson(text)?.__type?.split('#').pop()
          : undefined;
        this.calls.push({ accessKeyId: credential?.[1], service: credential?.[2], operation, params, status, errorCode, response: text });
        res.writeHead(status, up.headers);
        res.end(answer);
      });
    });
    upstream.on('error', (err) => {
      this.calls.push({ accessKeyId: credential?.[1], service: credential?.[2], operation, params, status: 502, errorCode: err.message, response: '' });
      res.writeHead(502);
      res.end();
    });
    upstream.end(body);
  }
}

function safeJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
