import {
  AccessDeniedException,
  GetAuthorizationTokenCommand,
  ResourceNotFoundException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-codeartifact';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException as SecretNotFoundException,
} from '@aws-sdk/client-secrets-manager';
import { cfnEvent, context, futureEpoch, handlerTestBed, invoke, SECRET_ARN, TOKEN } from './harness';
import { TEST_RESPONSE_ORIGIN_ENV } from '../../lib/handler/response-url';

const bed = handlerTestBed();
const { codeartifact, secrets, server } = bed;


const meta = { $metadata: { httpStatusCode: 400, attempts: 1 } };

describe('Create and Update', () => {
  test.each(['Create', 'Update'] as const)('%s issues a token into the secret as AWSCURRENT and answers SUCCESS without it', async (type) => {
    // GIVEN
    const expiration = futureEpoch(12);
    codeartifact.on(GetAuthorizationTokenCommand).resolves({ authorizationToken: TOKEN, expiration });
    secrets.on(PutSecretValueCommand).resolves({ VersionId: 'v1' });
    // WHEN
    const { logs, error } = await invoke(cfnEvent(type, bed.url));
    // THEN
    expect(error).toBeUndefined();
    expect(codeartifact.commandCalls(GetAuthorizationTokenCommand)[0].args[0].input).toEqual({
      domain: 'my-domain', domainOwner: '111122223333', durationSeconds: 43200,
    });
    const put = secrets.commandCalls(PutSecretValueCommand)[0].args[0].input;
    expect(put.SecretId).toBe(SECRET_ARN);
    expect(put.VersionStages).toBeUndefined(); // defaults to AWSCURRENT
    expect(put.ClientRequestToken).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(put.SecretString!)).toEqual({
      schemaVersion: 1,
      authorizationToken: TOKEN,
      expiration: expiration.toISOString(),
      issuedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      domain: 'my-domain',
      domainOwner: '111122223333',
      domainRegion: 'eu-west-1',
      durationSeconds: 43200,
      repositories: ['shared', 'npm-store'],
      access: 'read',
      endpoints: {
        'shared': expect.objectContaining({ npm: 'https://my-domain-111122223333.d.codeartifact.eu-west-1.amazonaws.com/npm/shared/' }),
        'npm-store': expect.objectContaining({ pypi: 'https://my-domain-111122223333.d.codeartifact.eu-west-1.amazonaws.com/pypi/npm-store/' }),
      },
      endpointTemplate: 'https://my-domain-111122223333.d.codeartifact.eu-west-1.amazonaws.com/{format}/{repository}/',
      dualStackEndpointTemplate: 'https://my-domain-111122223333.codeartifact.eu-west-1.on.aws/{format}/{repository}/',
    });
    expect(server.responses).toHaveLength(1);
    const response = server.responses[0];
    expect(response.method).toBe('PUT');
    expect(response.contentType).toBe('');
    expect(response.body).toEqual({
      Status: 'SUCCESS',
      Reason: 'OK',
      PhysicalResourceId: `codeartifact-token:${SECRET_ARN}`,
      StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/S/1',
      RequestId: expect.any(String),
      LogicalResourceId: 'TokenIssueToken',
      Data: { Expiration: expiration.toISOString(), VersionId: put.ClientRequestToken },
    });
    expect(JSON.stringify(server.responses)).not.toContain(TOKEN);
    expect(logs).not.toContain(TOKEN);
    expect(logs).toContain('issued a token');
  });

  test('the same event delivered twice writes one version and reports the stored token\'s expiry both times', async () => {
    // GIVEN: the second delivery issues another token, which Secrets Manager refuses to store
    const stored = futureEpoch(12);
    codeartifact.on(GetAuthorizationTokenCommand)
      .resolvesOnce({ authorizationToken: TOKEN, expiration: stored })
      .resolves({ authorizationToken: `${TOKEN}-second`, expiration: futureEpoch(11) });
    secrets.on(PutSecretValueCommand)
      .resolvesOnce({ VersionId: 'v1' })
      .rejects(new ResourceExistsException({ message: 'A resource with the ID you requested already exists.', ...meta }));
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ authorizationToken: TOKEN, expiration: stored.toISOString() }) });
    const event = cfnEvent('Create', bed.url);
    // WHEN
    await invoke(event);
    const { logs } = await invoke(event);
    // THEN
    const versionIds = secrets.commandCalls(PutSecretValueCommand).map((c) => c.args[0].input.ClientRequestToken);
    expect(versionIds[0]).toBe(versionIds[1]);
    expect(secrets.commandCalls(GetSecretValueCommand)[0].args[0].input).toEqual({ SecretId: SECRET_ARN, VersionId: versionIds[0] });
    expect(server.responses.map((r) => [r.body.Status, r.body.Data?.Expiration])).toEqual([
      ['SUCCESS', stored.toISOString()],
      ['SUCCESS', stored.toISOString()],
    ]);
    expect(logs).toContain('repeated delivery');
    expect(JSON.stringify(server.responses) + logs).not.toContain(TOKEN);
  });

  test('a duration of 0 is passed through as the role-session expiry', async () => {
    codeartifact.on(GetAuthorizationTokenCommand).resolves({ authorizationToken: TOKEN, expiration: futureEpoch(1) });
    secrets.on(PutSecretValueCommand).resolves({});
    await bed.issue('Create', { DurationSeconds: '0' });
    expect(codeartifact.commandCalls(GetAuthorizationTokenCommand)[0].args[0].input.durationSeconds).toBe(0);
    expect(server.responses[0].body.Status).toBe('SUCCESS');
  });
});

describe('failures answer FAILED with the cause, and leave the secret alone', () => {
  const cases: Array<[string, Error, RegExp]> = [
    ['AccessDenied on the domain',
      new AccessDeniedException({ message: 'User: arn:aws:sts::111122223333:assumed-role/R/x is not authorized to perform: codeartifact:GetAuthorizationToken on resource: arn:aws:codeartifact:eu-west-1:111122223333:domain/my-domain', ...meta }),
      /GetAuthorizationToken for domain 'my-domain' \(owner 111122223333, region eu-west-1\) failed: AccessDeniedException: User: .* is not authorized to perform: codeartifact:GetAuthorizationToken.*The issuer role needs codeartifact:GetAuthorizationToken on the domain; for a domain in another account, the domain policy of 111122223333 must allow the issuer role/],
    ['the missing sts permission',
      new AccessDeniedException({ message: 'User: arn:aws:sts::111122223333:assumed-role/R/x is not authorized to perform: sts:GetServiceBearerToken on resource: *', ...meta }),
      /AccessDeniedException: .*sts:GetServiceBearerToken.*The issuer role grants a bearer token only for the configuration the deployed template gives this secret's token .*nothing was written/],
    ['an unknown domain',
      new ResourceNotFoundException({ message: 'Domain not found', resourceId: 'my-domain', resourceType: 'domain', ...meta }),
      /ResourceNotFoundException: Domain not found\. Check that domain 'my-domain' exists in account 111122223333, region eu-west-1/],
    ['throttling that outlasted the retries',
      new ThrottlingException({ message: 'Rate exceeded', ...{ $metadata: { httpStatusCode: 429, attempts: 4 } } }),
      /ThrottlingException after 4 attempts: Rate exceeded/],
    ['a validation error',
      new ValidationException({ message: 'durationSeconds is invalid', reason: 'FIELD_VALIDATION_FAILED', ...meta }),
      /ValidationException: durationSeconds is invalid/],
  ];

  test.each(cases)('%s', async (_name, err, reason) => {
    // GIVEN
    codeartifact.on(GetAuthorizationTokenCommand).rejects(err);
    // WHEN
    const { logs } = await invoke(cfnEvent('Create', bed.url));
    // THEN
    expect(server.responses).toHaveLength(1);
    expect(server.responses[0].body).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(reason), PhysicalResourceId: `codeartifact-token:${SECRET_ARN}` });
    expect(server.responses[0].body.Data).toBeUndefined();
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(logs).toMatch(reason);
  });

  test('a response that could not be parsed is named without quoting its body', async () => {
    // GIVEN: the SDK's parse errors quote the body, which may hold the token
    const parseError = Object.assign(new SyntaxError(`Unexpected token in JSON: {"authorizationToken":"${TOKEN}"`), {
      $metadata: { httpStatusCode: 200 },
    });
    codeartifact.on(GetAuthorizationTokenCommand).rejects(parseError);
    // WHEN
    const { logs } = await invoke(cfnEvent('Create', bed.url));
    // THEN
    expect(server.responses[0].body.Status).toBe('FAILED');
    expect(server.responses[0].body.Reason).toMatch(/SyntaxError \(HTTP 200\): unexpected or unreadable response/);
    expect(JSON.stringify(server.responses)).not.toContain(TOKEN);
    expect(logs).not.toContain(TOKEN);
  });

  test.each([
    [{ authorizationToken: TOKEN }, /without a valid expiration/],
    [{ expiration: futureEpoch() }, /without an authorizationToken/],
    [{ authorizationToken: TOKEN, expiration: new Date(Date.now() + 60_000) }, /less than 5 minutes from now/],
  ])('an unusable token is refused: %#', async (output, reason) => {
    codeartifact.on(GetAuthorizationTokenCommand).resolves(output);
    const { logs } = await invoke(cfnEvent('Update', bed.url));
    expect(server.responses[0].body).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(reason) });
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(logs).not.toContain(TOKEN);
  });

  test('a secret that cannot be written keeps its previous value, and the token is not in the reason', async () => {
    codeartifact.on(GetAuthorizationTokenCommand).resolves({ authorizationToken: TOKEN, expiration: futureEpoch() });
    secrets.on(PutSecretValueCommand).rejects(new SecretNotFoundException({ message: "Secrets Manager can't find the specified secret.", ...meta }));
    const { logs } = await invoke(cfnEvent('Update', bed.url));
    expect(server.responses[0].body).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringMatching(/PutSecretValue on .*TokenSecret-AbCdEf failed: ResourceNotFoundException: Secrets Manager can't find the specified secret\.; the secret keeps its previous value/),
    });
    expect(JSON.stringify(server.responses)).not.toContain(TOKEN);
    expect(logs).not.toContain(TOKEN);
  });

  test.each([
    [{ Domain: 'Bad_Domain' }, /invalid token configuration in the custom resource properties: domain must match .* got "Bad_Domain"/],
    [{ DomainOwner: '123' }, /domainOwner must be a 12-digit account id, got "123"/],
    [{ DomainRegion: 'moon-1' }, /domainRegion must be an AWS region name, got "moon-1"/],
    [{ DurationSeconds: '60' }, /tokenDuration must be 0 or a whole number of seconds from 900 to 43200, got "60"/],
  ])('properties that were unresolved at synth time are checked at deploy time: %j', async (props, reason) => {
    await invoke(cfnEvent('Create', bed.url, props));
    expect(server.responses[0].body).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(reason) });
    expect(codeartifact.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(0);
  });

  test('an endpoint that hangs gets a FAILED answer before the Lambda times out', async () => {
    // GIVEN: 5.3 s left, of which the handler keeps 5 s to answer
    codeartifact.on(GetAuthorizationTokenCommand).callsFake(() => new Promise(() => undefined));
    const started = Date.now();
    // WHEN
    await invoke(cfnEvent('Create', bed.url), context(5_300));
    // THEN
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(server.responses).toHaveLength(1);
    expect(server.responses[0].body).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringMatching(/GetAuthorizationToken for domain 'my-domain' .* did not answer within the handler's deadline/),
    });
  });

  test('a call that times out is named once in the reason', async () => {
    // GIVEN: Secrets Manager hangs after the token was issued
    codeartifact.on(GetAuthorizationTokenCommand).resolves({ authorizationToken: TOKEN, expiration: futureEpoch() });
    secrets.on(PutSecretValueCommand).callsFake(() => new Promise(() => undefined));
    // WHEN
    await invoke(cfnEvent('Update', bed.url), context(5_300));
    // THEN
    expect(server.responses[0].body).toMatchObject({
      Status: 'FAILED',
      // the request may have been written: it does not claim the secret kept its previous value
      Reason: `PutSecretValue on ${SECRET_ARN} did not answer within the handler's deadline (0 s); the answer was lost, so the secret holds either its previous value or this token, both valid`,
    });
  });

  test('a GetAuthorizationToken that times out is named once in the reason', async () => {
    codeartifact.on(GetAuthorizationTokenCommand).callsFake(() => new Promise(() => undefined));
    await invoke(cfnEvent('Create', bed.url), context(5_300));
    const reason: string = server.responses[0].body.Reason;
    expect(reason).toBe("GetAuthorizationToken for domain 'my-domain' (owner 111122223333, region eu-west-1) did not answer within the handler's deadline (0 s)");
    expect(reason.match(/GetAuthorizationToken/g)).toHaveLength(1);
  });
});

describe('Delete', () => {
  test('succeeds without touching AWS, also when the secret is already gone', async () => {
    const { error } = await invoke(cfnEvent('Delete', bed.url));
    expect(error).toBeUndefined();
    expect(server.responses).toHaveLength(1);
    expect(server.responses[0].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `codeartifact-token:${SECRET_ARN}` });
    expect(codeartifact.calls()).toHaveLength(0);
    expect(secrets.calls()).toHaveLength(0);
  });
});

describe('CloudFormation response delivery', () => {
  test('a ResponseURL that keeps failing makes the invocation fail, so Lambda retries the event', async () => {
    // GIVEN the test seam names an origin where nothing listens
    const saved = process.env[TEST_RESPONSE_ORIGIN_ENV];
    process.env[TEST_RESPONSE_ORIGIN_ENV] = 'http://127.0.0.1:9';
    try {
      const { error } = await invoke(cfnEvent('Delete', 'http://127.0.0.1:9/unreachable'));
      expect(error?.message).toMatch(/could not deliver the CloudFormation response after 3 attempts: network failure \(ECONNREFUSED: connection refused\)/);
    } finally {
      process.env[TEST_RESPONSE_ORIGIN_ENV] = saved;
    }
  });
});
