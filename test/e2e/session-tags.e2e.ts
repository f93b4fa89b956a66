/**
 * The local STS, CodeArtifact and token identities with session tags, over a small template shaped
 * as the issue-15 contract says the construct synthesizes it: the issuer role trusts the account
 * with an aws:PrincipalArn condition, the handler role may assume it only from its function
 * (lambda:SourceFunctionArn), and sts:GetServiceBearerToken is granted per token on
 * aws:PrincipalTag values. Real SDK clients make every call, in the services' wire formats.
 */
import { CodeartifactClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-codeartifact';
import { AssumeRoleCommand, AssumeRoleCommandInput, STSClient } from '@aws-sdk/client-sts';
import { ACCOUNT, FakeCodeArtifact, Identities, LocalSts, REGION, roleArn, TemplateResolver } from '../local-aws';

const TOKEN_TAG = 'cdk-codeartifact-token:token';
const REPOSITORIES_TAG = 'cdk-codeartifact-token:repositories';
const A = { token: 'aaaaaaaaaaaaaaaa 43200 read 123456789012 eu-west-1 acme', repositories: 'aaaaaaaaaaaaaaaa shared' };
const B = { token: 'bbbbbbbbbbbbbbbb 43200 read 123456789012 eu-west-1 acme', repositories: 'bbbbbbbbbbbbbbbb other' };
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const HANDLER_ROLE = roleArn('HandlerRole');
const ISSUER_ROLE = roleArn('IssuerRole');
const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:Handler`;

const TEMPLATE = {
  Resources: {
    Handler: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['HandlerRole', 'Arn'] } } },
    HandlerRole: {
      Type: 'AWS::IAM::Role',
      Properties: { AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] } },
    },
    OtherRole: {
      Type: 'AWS::IAM::Role',
      Properties: { AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] } },
    },
    HandlerAssumesIssuer: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        Roles: [{ Ref: 'HandlerRole' }, { Ref: 'OtherRole' }],
        PolicyDocument: {
          Statement: [{
            Effect: 'Allow',
            Action: ['sts:AssumeRole', 'sts:TagSession'],
            Resource: { 'Fn::GetAtt': ['IssuerRole', 'Arn'] },
            Condition: { ArnEquals: { 'lambda:SourceFunctionArn': { 'Fn::GetAtt': ['Handler', 'Arn'] } } },
          }],
        },
      },
    },
    IssuerRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [
            { Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'sts:AssumeRole', Condition: { ArnEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': ['HandlerRole', 'Arn'] } } } },
            {
              Effect: 'Allow',
              Principal: { AWS: ROOT },
              Action: 'sts:TagSession',
              Condition: { 'ArnEquals': { 'aws:PrincipalArn': { 'Fn::GetAtt': ['HandlerRole', 'Arn'] } }, 'ForAllValues:StringEquals': { 'aws:TagKeys': [TOKEN_TAG, REPOSITORIES_TAG] } },
            },
          ],
        },
      },
    },
    IssuerPolicy: {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        Roles: [{ Ref: 'IssuerRole' }],
        PolicyDocument: {
          Statement: [
            { Effect: 'Allow', Action: 'codeartifact:GetAuthorizationToken', Resource: `arn:aws:codeartifact:${REGION}:${ACCOUNT}:domain/acme` },
            { Effect: 'Allow', Action: 'codeartifact:ReadFromRepository', Resource: `arn:aws:codeartifact:${REGION}:${ACCOUNT}:repository/acme/*` },
            {
              Effect: 'Allow',
              Action: 'sts:GetServiceBearerToken',
              Resource: '*',
              Condition: { StringEquals: { 'sts:AWSServiceName': 'codeartifact.amazonaws.com', [`aws:PrincipalTag/${TOKEN_TAG}`]: [A.token], [`aws:PrincipalTag/${REPOSITORIES_TAG}`]: [A.repositories] } },
            },
          ],
        },
      },
    },
  },
};

let resolver: TemplateResolver;
let identities: Identities;
let sts: LocalSts;
let codeArtifact: FakeCodeArtifact;
const clients: Array<{ destroy(): void }> = [];

beforeAll(async () => {
  resolver = new TemplateResolver(TEMPLATE);
  identities = new Identities(resolver);
  identities.addRoleCredentials('AKIAHANDLERFUNCTION0', HANDLER_ROLE, { 'lambda:SourceFunctionArn': FUNCTION_ARN }, 'Handler');
  identities.addRoleCredentials('AKIAHANDLERROLEBARE0', HANDLER_ROLE);
  identities.addRoleCredentials('AKIAHANDLEROTHERFN00', HANDLER_ROLE, { 'lambda:SourceFunctionArn': `${FUNCTION_ARN}-copy` }, 'Handler-copy');
  identities.addRoleCredentials('AKIAOTHERROLEINFN000', roleArn('OtherRole'), { 'lambda:SourceFunctionArn': FUNCTION_ARN }, 'Handler');
  [sts, codeArtifact] = await Promise.all([LocalSts.start(identities), FakeCodeArtifact.start({ identities })]);
  codeArtifact.domains.add(`${ACCOUNT}/acme`);
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await Promise.all([sts?.stop(), codeArtifact?.stop()]);
});

function stsAs(accessKeyId: string): STSClient {
  const c = new STSClient({ region: REGION, endpoint: sts.url, maxAttempts: 1, credentials: { accessKeyId, secretAccessKey: 'e2e' } });
  clients.push(c);
  return c;
}

const tags = (t: { token: string; repositories: string }) => [{ Key: TOKEN_TAG, Value: t.token }, { Key: REPOSITORIES_TAG, Value: t.repositories }];

async function assume(accessKeyId: string, input: Partial<AssumeRoleCommandInput> = {}) {
  return stsAs(accessKeyId).send(new AssumeRoleCommand({ RoleArn: ISSUER_ROLE, RoleSessionName: 'token-a', DurationSeconds: 900, ...input }));
}

async function errorOf(p: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await p;
  } catch (err) {
    return { name: (err as Error).name, message: (err as Error).message };
  }
  throw new Error('expected the call to fail');
}

async function tokenWith(credentials: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string }) {
  const c = new CodeartifactClient({
    region: REGION,
    endpoint: codeArtifact.url,
    maxAttempts: 1,
    credentials: { accessKeyId: credentials.AccessKeyId!, secretAccessKey: credentials.SecretAccessKey!, sessionToken: credentials.SessionToken },
  });
  clients.push(c);
  return c.send(new GetAuthorizationTokenCommand({ domain: 'acme', domainOwner: ACCOUNT, durationSeconds: 900 }));
}

describe('sts:AssumeRole with session tags', () => {
  test('the handler function\'s credentials assume the issuer role with its two tags; the call records them', async () => {
    // WHEN
    const out = await assume('AKIAHANDLERFUNCTION0', { Tags: tags(A) });
    // THEN
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/IssuerRole/token-a`);
    expect(sts.calls.at(-1)).toMatchObject({ outcome: 'assumed', status: 200, tags: tags(A), transitiveTagKeys: [] });
    // AND the session carries the tags and its issue time into every request
    const session = identities.principalOf(out.Credentials!.AccessKeyId)!;
    expect(identities.requestContext(session)).toMatchObject({
      [`aws:PrincipalTag/${TOKEN_TAG}`]: A.token,
      [`aws:PrincipalTag/${REPOSITORIES_TAG}`]: A.repositories,
      'aws:PrincipalArn': ISSUER_ROLE,
      'aws:TokenIssueTime': expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  test('the handler role\'s credentials outside its function (no lambda:SourceFunctionArn, or another function\'s): AccessDenied', async () => {
    for (const key of ['AKIAHANDLERROLEBARE0', 'AKIAHANDLEROTHERFN00']) {
      // WHEN, with or without tags
      const plain = await errorOf(assume(key));
      const tagged = await errorOf(assume(key, { Tags: tags(A) }));
      // THEN the trust policy lets the account in, but the handler role's identity policy does not allow it
      for (const e of [plain, tagged]) {
        expect(e.name).toBe('AccessDenied');
        expect(e.message).toMatch(new RegExp(`^User: arn:aws:sts::${ACCOUNT}:assumed-role/HandlerRole/\\S+ is not authorized to perform: sts:AssumeRole on resource: ${ISSUER_ROLE} `
          + '\\(the caller\'s identity policy: implicitly denied: no identity statement allows sts:AssumeRole'));
      }
    }
    expect(sts.calls.slice(-4).map((c) => c.outcome)).toEqual(['AccessDenied', 'AccessDenied', 'AccessDenied', 'AccessDenied']);
  });

  test('another role of the account, even inside the handler function: refused by the trust policy\'s aws:PrincipalArn', async () => {
    const e = await errorOf(assume('AKIAOTHERROLEINFN000'));
    expect(e.name).toBe('AccessDenied');
    expect(e.message).toMatch(/the role's trust policy: implicitly denied: no trust statement allows arn:aws:iam::123456789012:role\/OtherRole sts:AssumeRole/);
  });

  test('a tag key the trust policy does not name: sts:TagSession refused, no session', async () => {
    const before = sts.calls.length;
    const e = await errorOf(assume('AKIAHANDLERFUNCTION0', { Tags: [...tags(A), { Key: 'team', Value: 'ops' }] }));
    expect(e.name).toBe('AccessDenied');
    expect(e.message).toMatch(/not authorized to perform: sts:TagSession on resource: .*IssuerRole \(the role's trust policy: implicitly denied: no trust statement allows/);
    expect(sts.calls.slice(before).map((c) => c.outcome)).toEqual(['AccessDenied']);
  });

  test('limits: 50 tags, keys of 1 to 128 characters, values up to 256, from the Tag data type\'s pattern', async () => {
    // GIVEN the trust policy allowing any keys is not needed: validation comes before authorization
    const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    const cases: Array<[string, AssumeRoleCommandInput['Tags'], RegExp]> = [
      ['51 tags', many, /Member must have length less than or equal to 50 \(got 51\)/],
      ['a 129-character key', [{ Key: 'k'.repeat(129), Value: 'v' }], /tags\.1\.member\.key.*length 129/],
      ['a 257-character value', [{ Key: TOKEN_TAG, Value: 'v'.repeat(257) }], /tags\.1\.member\.value.*length 257/],
      ['a value with a character outside the pattern', [{ Key: TOKEN_TAG, Value: 'a;b' }], /tags\.1\.member\.value/],
    ];
    for (const [what, t, message] of cases) {
      const e = await errorOf(assume('AKIAHANDLERFUNCTION0', { Tags: t }));
      expect({ what, name: e.name }).toEqual({ what, name: 'ValidationError' });
      expect(e.message).toMatch(message);
    }
    // AND at the limits, the request is valid (and then authorized: 50 keys the trust policy does not name are refused)
    expect((await errorOf(assume('AKIAHANDLERFUNCTION0', { Tags: many.slice(0, 50) }))).name).toBe('AccessDenied');
    await expect(assume('AKIAHANDLERFUNCTION0', { Tags: [{ Key: TOKEN_TAG, Value: 'v'.repeat(256) }, { Key: REPOSITORIES_TAG, Value: 'x :all' }] })).resolves.toBeDefined();
  });
});

describe('GetAuthorizationToken with a tagged session', () => {
  test('tags equal to a token\'s binding values: a token that carries the tags and the session\'s issue time', async () => {
    // GIVEN a session tagged as token A
    const session = await assume('AKIAHANDLERFUNCTION0', { Tags: tags(A) });
    const issuer = identities.principalOf(session.Credentials!.AccessKeyId)!;
    // WHEN
    const out = await tokenWith(session.Credentials!);
    // THEN the token reads what the issuer role may read, with A's tags in its requests
    const token = out.authorizationToken!;
    expect(identities.authorizeToken(token, 'codeartifact:ReadFromRepository', `arn:aws:codeartifact:${REGION}:${ACCOUNT}:repository/acme/shared`).allowed).toBe(true);
    expect(codeArtifact.calls.at(-1)).toMatchObject({ outcome: 'token issued' });
    expect(issuer.issuedAt).toBeDefined();
  });

  test('tags of another token (or none): AccessDeniedException on sts:GetServiceBearerToken, worded as AWS words it; no token', async () => {
    for (const t of [tags(B), [{ Key: TOKEN_TAG, Value: A.token }, { Key: REPOSITORIES_TAG, Value: 'aaaaaaaaaaaaaaaa shared other' }], undefined]) {
      // GIVEN a session tagged otherwise
      const session = await assume('AKIAHANDLERFUNCTION0', { Tags: t });
      const issued = codeArtifact.issued.length;
      // WHEN
      const e = await errorOf(tokenWith(session.Credentials!));
      // THEN
      expect(e.name).toBe('AccessDeniedException');
      expect(e.message).toBe(`User: arn:aws:sts::${ACCOUNT}:assumed-role/IssuerRole/token-a is not authorized to perform: sts:GetServiceBearerToken on resource: * `
        + 'because no identity-based policy allows the sts:GetServiceBearerToken action');
      expect(codeArtifact.calls.at(-1)).toMatchObject({ outcome: 'AccessDeniedException', reason: 'implicitly denied: no identity statement allows sts:GetServiceBearerToken on *' });
      expect(codeArtifact.issued.length).toBe(issued);
    }
  });

  test('a token keeps its session\'s issue time: a deny on aws:TokenIssueTime stops tokens of older sessions', async () => {
    // GIVEN a token issued by a session, and the role's policy then given a deny for sessions issued before now
    const session = await assume('AKIAHANDLERFUNCTION0', { Tags: tags(A) });
    const token = (await tokenWith(session.Credentials!)).authorizationToken!;
    const repo = `arn:aws:codeartifact:${REGION}:${ACCOUNT}:repository/acme/shared`;
    const issuedAt = identities.principalOf(session.Credentials!.AccessKeyId)!.issuedAt!;
    const statements = (TEMPLATE.Resources.IssuerPolicy.Properties.PolicyDocument.Statement as any[]);
    statements.push({
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { StringEquals: { [`aws:PrincipalTag/${TOKEN_TAG}`]: A.token }, DateLessThan: { 'aws:TokenIssueTime': new Date(issuedAt + 1).toISOString() } },
    });
    resolver.template = TEMPLATE; // an edited template, deployed again
    try {
      // THEN the token is refused, with the deny as the reason
      expect(identities.authorizeToken(token, 'codeartifact:ReadFromRepository', repo)).toMatchObject({
        authenticated: true, allowed: false, explicit: true, reason: expect.stringMatching(/^explicitly denied: identity statement #3/),
      });
      // AND a token of a session issued after the cut-off still reads
      await new Promise((r) => setTimeout(r, 5));
      const later = await assume('AKIAHANDLERFUNCTION0', { Tags: tags(A) });
      const fresh = (await tokenWith(later.Credentials!)).authorizationToken!;
      expect(identities.authorizeToken(fresh, 'codeartifact:ReadFromRepository', repo).allowed).toBe(true);
    } finally {
      statements.pop();
      resolver.template = TEMPLATE;
    }
  });
});
