/**
 * STS AssumeRole on this machine, in the service's awsQuery wire format (form-encoded request,
 * XML answer; session tags as `Tags.member.N.Key` / `Tags.member.N.Value`), deciding with the
 * template's trust and identity policies (identities.ts) and keeping the session policy and session
 * tags the caller passed, so that the tokens issued with the session carry them. Every call is
 * recorded, the session policy and tags with it, for the tests to assert on.
 */
import { randomBytes } from 'crypto';
import * as http from 'http';
import { Identities, Session } from './identities';
import { close, listen, readBody } from './net';

export interface StsCall {
  readonly at: number;
  readonly operation: string;
  readonly roleArn?: string;
  readonly sessionName?: string;
  readonly durationSeconds?: number;
  /** The session policy, parsed. */
  readonly policy?: any;
  /** The session tags, in the order passed. */
  readonly tags?: ReadonlyArray<{ Key: string; Value: string }>;
  readonly transitiveTagKeys?: readonly string[];
  readonly status: number;
  readonly outcome: string;
}

export class LocalSts {
  public static async start(identities: Identities): Promise<LocalSts> {
    const sts = new LocalSts(identities);
    sts.url = await listen(sts.server);
    return sts;
  }

  public url = '';
  public readonly calls: StsCall[] = [];
  private readonly server = http.createServer((req, res) => void this.handle(req, res));

  private constructor(private readonly identities: Identities) {}

  public stop(): Promise<void> {
    return close(this.server);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const form = new URLSearchParams((await readBody(req)).toString('utf8'));
    const operation = form.get('Action') ?? 'unknown';
    const policyText = form.get('Policy') ?? undefined;
    const call = {
      at: Date.now(),
      operation,
      roleArn: form.get('RoleArn') ?? undefined,
      sessionName: form.get('RoleSessionName') ?? undefined,
      durationSeconds: form.has('DurationSeconds') ? Number(form.get('DurationSeconds')) : undefined,
      policy: policyText ? JSON.parse(policyText) : undefined,
      tags: members(form, 'Tags', ['Key', 'Value']).map(({ Key, Value }) => ({ Key: Key ?? '', Value: Value ?? '' })),
      transitiveTagKeys: members(form, 'TransitiveTagKeys').map(({ '': key }) => key ?? ''),
    };
    const fail = (status: number, code: string, message: string) => {
      this.calls.push({ ...call, status, outcome: code });
      res.writeHead(status, { 'content-type': 'text/xml' });
      res.end(`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code>`
        + `<Message>${xml(message)}</Message></Error><RequestId>${requestId()}</RequestId></ErrorResponse>`);
    };
    const accessKeyId = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1];
    const caller = this.identities.principalOf(accessKeyId);
    if (!caller) return fail(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
    if (operation !== 'AssumeRole') return fail(400, 'InvalidAction', `${operation} is not served by the local STS`);
    const duration = call.durationSeconds ?? 3600;
    if (!call.roleArn || !call.sessionName || !/^[\w+=,.@-]{2,64}$/.test(call.sessionName) || duration < 900 || duration > 43200) {
      return fail(400, 'ValidationError', 'RoleArn, RoleSessionName ([\\w+=,.@-]{2,64}) and DurationSeconds (900-43200) must be valid');
    }
    // STS API reference, AssumeRole: the plaintext session policy may be at most 2,048 characters.
    if (policyText && policyText.length > 2048) return fail(400, 'ValidationError', `the session policy has ${policyText.length} characters, more than 2048`);
    const tagProblem = sessionTagProblem(call.tags, call.transitiveTagKeys);
    if (tagProblem) return fail(400, 'ValidationError', tagProblem);
    const result = this.identities.assumeRole(caller, {
      roleArn: call.roleArn, sessionName: call.sessionName, policy: call.policy, durationSeconds: duration, tags: call.tags,
    });
    if (!('accessKeyId' in result)) return fail(403, 'AccessDenied', result.reason);
    this.calls.push({ ...call, status: 200, outcome: 'assumed' });
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(assumeRoleXml(result));
  }
}

/**
 * The members of an awsQuery list, `NAME.member.N` or `NAME.member.N.FIELD`, in order of N; a
 * scalar list's values under the field ''.
 */
function members(form: URLSearchParams, name: string, fields: string[] = ['']): Array<Record<string, string | undefined>> {
  const out: Array<Record<string, string | undefined>> = [];
  for (let n = 1; fields.some((f) => form.has(`${name}.member.${n}${f ? `.${f}` : ''}`)); n++) {
    out.push(Object.fromEntries(fields.map((f) => [f, form.get(`${name}.member.${n}${f ? `.${f}` : ''}`) ?? undefined])));
  }
  return out;
}

/**
 * STS API reference, AssumeRole, `Tags` and the Tag data type: "You can pass up to 50 session tags.
 * The plaintext session tag keys can't exceed 128 characters, and the values can't exceed 256
 * characters"; keys match [\p{L}\p{Z}\p{N}_.:/=+\-@]+ (at least 1 character), values the same
 * pattern with 0 or more; a transitive tag key must be one of the session's tags.
 */
function sessionTagProblem(tags: ReadonlyArray<{ Key: string; Value: string }>, transitive: readonly string[]): string | undefined {
  if (tags.length > 50) return `1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50 (got ${tags.length})`;
  for (const [i, { Key, Value }] of tags.entries()) {
    if (Key.length < 1 || Key.length > 128 || !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u.test(Key)) {
      return `1 validation error detected: Value at 'tags.${i + 1}.member.key' failed to satisfy constraint: Member must have length between 1 and 128 and match [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+ (length ${Key.length})`;
    }
    if (Value.length > 256 || !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u.test(Value)) {
      return `1 validation error detected: Value at 'tags.${i + 1}.member.value' failed to satisfy constraint: Member must have length less than or equal to 256 and match [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]* (length ${Value.length})`;
    }
  }
  const missing = transitive.find((k) => !tags.some((t) => t.Key === k));
  return missing !== undefined ? `the transitive tag key ${missing} is not a session tag of this request` : undefined;
}

function assumeRoleXml(s: Session): string {
  return '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>'
    + `<Credentials><AccessKeyId>${s.accessKeyId}</AccessKeyId><SecretAccessKey>${xml(s.secretAccessKey)}</SecretAccessKey>`
    + `<SessionToken>${xml(s.sessionToken)}</SessionToken><Expiration>${new Date(s.expiresAt).toISOString()}</Expiration></Credentials>`
    + `<AssumedRoleUser><AssumedRoleId>AROA${randomBytes(8).toString('hex').toUpperCase()}:${s.sessionName}</AssumedRoleId>`
    + `<Arn>${s.roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/')}/${s.sessionName}</Arn></AssumedRoleUser>`
    + `<PackedPolicySize>${s.sessionPolicy ? 10 : 0}</PackedPolicySize>`
    + `</AssumeRoleResult><ResponseMetadata><RequestId>${requestId()}</RequestId></ResponseMetadata></AssumeRoleResponse>`;
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function requestId(): string {
  return randomBytes(16).toString('hex');
}
