import { CodeartifactClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-codeartifact';
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import {
  cfnEvent, context, futureEpoch, handlerTestBed, invoke, ISSUER_CREDENTIALS, ISSUER_ROLE_ARN, SECRET_ARN, sessionPolicyOf, TOKEN,
} from './harness';
import { ISSUER_ROLE_ARN_ENV } from '../../lib/contract';

const bed = handlerTestBed();
const { codeartifact, secrets, sts, server } = bed;
const meta = { $metadata: { httpStatusCode: 403, attempts: 1 } };
beforeEach(() => {
  codeartifact.on(GetAuthorizationTokenCommand).resolves({ authorizationToken: TOKEN, expiration: futureEpoch(12) });
  secrets.on(PutSecretValueCommand).resolves({ VersionId: 'v1' });
});

const DOMAIN_ARN = 'arn:aws:codeartifact:eu-west-1:111122223333:domain/my-domain';
const REPO = (r: string) => `arn:aws:codeartifact:eu-west-1:111122223333:repository/my-domain/${r}`;
const BEARER = {
  Effect: 'Allow',
  Action: 'sts:GetServiceBearerToken',
  Resource: '*',
  Condition: { StringEquals: { 'sts:AWSServiceName': 'codeartifact.amazonaws.com' } },
};

describe('each token is issued by the issuer role, narrowed to that token', () => {
  test('a read token: the session policy allows its domain and reading its repositories, nothing else', async () => {
    // WHEN
    const { error } = await invoke(cfnEvent('Create', bed.url));
    // THEN the issuer role is assumed for 15 minutes, in a session named after the secret
    expect(error).toBeUndefined();
    const assume = sts.commandCalls(AssumeRoleCommand);
    expect(assume).toHaveLength(1);
    expect(assume[0].args[0].input).toMatchObject({ RoleArn: ISSUER_ROLE_ARN, RoleSessionName: 'TokenSecret-AbCdEf', DurationSeconds: 900 });
    expect(sessionPolicyOf(sts)).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'codeartifact:GetAuthorizationToken', Resource: DOMAIN_ARN },
        BEARER,
        { Effect: 'Allow', Action: ['codeartifact:ReadFromRepository'], Resource: [REPO('shared'), REPO('npm-store')] },
      ],
    });
    // AND GetAuthorizationToken is called with the issuer session, not the handler's own credentials
    const client = codeartifact.commandCalls(GetAuthorizationTokenCommand)[0].thisValue as CodeartifactClient;
    const credentials = await (client.config.credentials as () => Promise<any>)();
    expect(credentials).toMatchObject({
      accessKeyId: ISSUER_CREDENTIALS.AccessKeyId, secretAccessKey: ISSUER_CREDENTIALS.SecretAccessKey, sessionToken: ISSUER_CREDENTIALS.SessionToken,
    });
    expect(server.responses[0].body.Status).toBe('SUCCESS');
  });

  test('a publishing token adds publishing to its repositories\' packages, and Maven\'s package metadata', async () => {
    // WHEN
    await bed.issue('Create', { Repositories: 'releases', Access: 'read-and-publish' });
    // THEN
    expect(sessionPolicyOf(sts).Statement).toEqual([
      { Effect: 'Allow', Action: 'codeartifact:GetAuthorizationToken', Resource: DOMAIN_ARN },
      BEARER,
      { Effect: 'Allow', Action: ['codeartifact:ReadFromRepository'], Resource: [REPO('releases')] },
      {
        Effect: 'Allow',
        Action: ['codeartifact:PublishPackageVersion', 'codeartifact:PutPackageMetadata'],
        Resource: ['arn:aws:codeartifact:eu-west-1:111122223333:package/my-domain/releases/*'],
      },
    ]);
  });

  test('a token for every repository reads any repository of its domain, and its secret has the endpoint template only', async () => {
    // WHEN
    await bed.issue('Create', { Repositories: ':all' });
    // THEN
    expect(sessionPolicyOf(sts).Statement[2]).toEqual({ Effect: 'Allow', Action: ['codeartifact:ReadFromRepository'], Resource: [REPO('*')] });
    const value = JSON.parse(secrets.commandCalls(PutSecretValueCommand)[0].args[0].input.SecretString!);
    expect(value).toMatchObject({ repositories: '*', access: 'read', endpoints: {} });
    expect(value.endpointTemplate).toBe('https://my-domain-111122223333.d.codeartifact.eu-west-1.amazonaws.com/{format}/{repository}/');
  });

  test('in China the ARNs and endpoints are those of the aws-cn partition, with no dual-stack template', async () => {
    // WHEN
    await bed.issue('Create', { DomainRegion: 'cn-north-1', Repositories: 'shared' });
    // THEN
    expect(sessionPolicyOf(sts).Statement[0].Resource).toBe('arn:aws-cn:codeartifact:cn-north-1:111122223333:domain/my-domain');
    const value = JSON.parse(secrets.commandCalls(PutSecretValueCommand)[0].args[0].input.SecretString!);
    expect(value.endpoints.shared.npm).toBe('https://my-domain-111122223333.d.codeartifact.cn-north-1.amazonaws.com.cn/npm/shared/');
    expect(value.dualStackEndpointTemplate).toBeUndefined();
  });

  test('tokenDuration 0 asks for the longest chained session, an hour, since the token ends with it', async () => {
    await bed.issue('Create', { DurationSeconds: '0' });
    expect(sts.commandCalls(AssumeRoleCommand)[0].args[0].input.DurationSeconds).toBe(3600);
  });
});

describe('failures to assume the issuer role', () => {
  test('a denied AssumeRole fails the deploy with the cause, asks CodeArtifact nothing and writes nothing', async () => {
    // GIVEN the trust is wrong (and the deadline too short to wait for IAM propagation)
    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error(`User: arn:aws:sts::111122223333:assumed-role/H/fn is not authorized to perform: sts:AssumeRole on resource: ${ISSUER_ROLE_ARN}`), { name: 'AccessDenied', ...meta }));
    // WHEN
    const { logs } = await invoke(cfnEvent('Create', bed.url), context(12_000));
    // THEN
    expect(server.responses[0].body.Status).toBe('FAILED');
    expect(server.responses[0].body.Reason).toMatch(new RegExp(`^AssumeRole of the issuer role ${ISSUER_ROLE_ARN} failed: AccessDenied: User: .* is not authorized to perform: sts:AssumeRole.*The issuer role trusts only the handler role, and the handler role allows sts:AssumeRole and sts:TagSession on it only from the handler function itself`));
    expect(codeartifact.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(0);
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(logs).not.toContain(ISSUER_CREDENTIALS.SecretAccessKey);
  });

  test('a role IAM does not show yet is assumed again after a pause, and the deploy succeeds', async () => {
    // GIVEN the first AssumeRole is denied (a role created moments ago), the second succeeds
    sts.on(AssumeRoleCommand)
      .rejectsOnce(Object.assign(new Error('not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied', ...meta }))
      .resolves({ Credentials: ISSUER_CREDENTIALS });
    // WHEN
    const started = Date.now();
    await invoke(cfnEvent('Create', bed.url));
    // THEN
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect(server.responses[0].body.Status).toBe('SUCCESS');
  });

  test('without the issuer role in its environment the handler says so', async () => {
    // GIVEN
    const saved = process.env[ISSUER_ROLE_ARN_ENV];
    delete process.env[ISSUER_ROLE_ARN_ENV];
    try {
      // WHEN
      await invoke(cfnEvent('Create', bed.url));
    } finally {
      process.env[ISSUER_ROLE_ARN_ENV] = saved;
    }
    // THEN
    expect(server.responses[0].body.Reason).toBe('the handler has no ISSUER_ROLE_ARN environment variable: deploy it with the construct that created it');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });
});

describe('the configuration is checked before anything is asked of AWS', () => {
  test.each([
    [{ Access: 'write' }, /access must be one of read, read-and-publish, got "write"/],
    [{ Repositories: ':all', Access: 'read-and-publish' }, /access read-and-publish needs named repositories, got "read-and-publish"/],
    [{ Repositories: 'ok -bad' }, /repositories must be repository names matching .* separated by spaces, or :all, got "ok -bad"/],
    [{ Repositories: '' }, /repositories must be repository names .*, got ""/],
  ])('%j', async (props, reason) => {
    await bed.issue('Create', props as Record<string, string>);
    expect(server.responses[0].body.Status).toBe('FAILED');
    expect(server.responses[0].body.Reason).toMatch(reason);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });
});

test('the secret ARN names the session; odd characters are replaced', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { sessionNameOf } = require('../../lib/handler/token');
  expect(sessionNameOf(SECRET_ARN)).toBe('TokenSecret-AbCdEf');
  expect(sessionNameOf('arn:aws:secretsmanager:eu-west-1:111122223333:secret:team/tokens/npm-AbCdEf')).toBe('team-tokens-npm-AbCdEf');
  expect(sessionNameOf(`arn:aws:secretsmanager:eu-west-1:111122223333:secret:${'x'.repeat(80)}`)).toHaveLength(64);
});
