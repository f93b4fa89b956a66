import { AccessDeniedException, CodeartifactClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-codeartifact';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  InternalServiceError,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException as SecretNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { futureEpoch, invoke, mockSts, rotationEvent, SECRET_ARN, sessionPolicyOf, STACK_ID, TOKEN } from './harness';

const codeartifact = mockClient(CodeartifactClient);
const secrets = mockClient(SecretsManagerClient);
const { sts, reset: resetSts } = mockSts();
const meta = { $metadata: { httpStatusCode: 400, attempts: 1 } };

const NEW = 'rotation-version-0001-0000-000000000000';
const OLD = 'previous-version-0000-0000-000000000000';
const TAGS = [
  { Key: 'aws:cloudformation:stack-id', Value: STACK_ID },
  { Key: 'aws:cloudformation:logical-id', Value: 'TokenSecretE0A5A6C1' },
  { Key: 'cdk-codeartifact-token:stack', Value: STACK_ID },
  { Key: 'cdk-codeartifact-token:domain', Value: 'my-domain' },
  { Key: 'cdk-codeartifact-token:domain-owner', Value: '444455556666' },
  { Key: 'cdk-codeartifact-token:domain-region', Value: 'us-east-1' },
  { Key: 'cdk-codeartifact-token:duration-seconds', Value: '28800' },
  { Key: 'cdk-codeartifact-token:repositories', Value: 'releases' },
  { Key: 'cdk-codeartifact-token:access', Value: 'read-and-publish' },
  { Key: 'team', Value: 'platform' },
];

const describeWith = (stages: Record<string, string[]>, tags = TAGS) =>
  secrets.on(DescribeSecretCommand).resolves({ ARN: SECRET_ARN, Tags: tags, VersionIdsToStages: stages });

const noValueYet = () => new SecretNotFoundException({ message: "Secrets Manager can't find the specified secret value for VersionId", ...meta });

const goodValue = (hours = 8) => JSON.stringify({
  schemaVersion: 1,
  authorizationToken: TOKEN,
  expiration: futureEpoch(hours).toISOString(),
  issuedAt: new Date().toISOString(),
  domain: 'my-domain',
  domainOwner: '444455556666',
  domainRegion: 'us-east-1',
  durationSeconds: 28800,
});

beforeEach(() => {
  codeartifact.reset();
  secrets.reset();
  resetSts();
});

describe('createSecret', () => {
  test('issues a token from the tags (not the old value) and stores it as AWSPENDING under the rotation version', async () => {
    // GIVEN: the old value is unreadable, which must not matter; the new version has no value yet
    describeWith({ [OLD]: ['AWSCURRENT'], [NEW]: ['AWSPENDING'] });
    secrets.on(GetSecretValueCommand).rejects(new Error('must not be read'));
    secrets.on(GetSecretValueCommand, { VersionId: NEW }).rejects(noValueYet());
    codeartifact.on(GetAuthorizationTokenCommand).resolves({ authorizationToken: TOKEN, expiration: futureEpoch(8) });
    secrets.on(PutSecretValueCommand).resolves({});
    // WHEN
    const { logs, error } = await invoke(rotationEvent('createSecret', NEW));
    // THEN
    expect(error).toBeUndefined();
    expect(codeartifact.commandCalls(GetAuthorizationTokenCommand)[0].args[0].input)
      .toEqual({ domain: 'my-domain', domainOwner: '444455556666', durationSeconds: 28800 });
    expect(await codeartifact.commandCalls(GetAuthorizationTokenCommand)[0].thisValue.config.region()).toBe('us-east-1');
    const put = secrets.commandCalls(PutSecretValueCommand)[0].args[0].input;
    expect(put).toMatchObject({ SecretId: SECRET_ARN, ClientRequestToken: NEW, VersionStages: ['AWSPENDING'] });
    expect(JSON.parse(put.SecretString!)).toMatchObject({
      authorizationToken: TOKEN, domain: 'my-domain', domainRegion: 'us-east-1', repositories: ['releases'], access: 'read-and-publish',
    });
    // AND the issuer session is narrowed by the tags too: it may publish into releases only
    expect(sessionPolicyOf(sts).Statement.slice(2)).toEqual([
      { Effect: 'Allow', Action: ['codeartifact:ReadFromRepository'], Resource: ['arn:aws:codeartifact:us-east-1:444455556666:repository/my-domain/releases'] },
      {
        Effect: 'Allow',
        Action: ['codeartifact:PublishPackageVersion', 'codeartifact:PutPackageMetadata'],
        Resource: ['arn:aws:codeartifact:us-east-1:444455556666:package/my-domain/releases/*'],
      },
    ]);
    // only the rotation's own version was read (to see whether an earlier delivery wrote it), never the old value
    expect(secrets.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input)).toEqual([{ SecretId: SECRET_ARN, VersionId: NEW }]);
    expect(logs).toContain('rotation step createSecret done');
    expect(logs).not.toContain(TOKEN);
  });

  test('delivered again after it succeeded, keeps the version it wrote without asking CodeArtifact again', async () => {
    // GIVEN an earlier delivery wrote a good token under the rotation's version
    describeWith({ [OLD]: ['AWSCURRENT'], [NEW]: ['AWSPENDING'] });
    secrets.on(GetSecretValueCommand, { VersionId: NEW }).resolves({ VersionId: NEW, SecretString: goodValue() });
    // WHEN
    const { error } = await invoke(rotationEvent('createSecret', NEW));
    // THEN
    expect(error).toBeUndefined();
    expect(sts.calls()).toHaveLength(0);
    expect(codeartifact.calls()).toHaveLength(0);
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  test('delivered twice at once: the second write finds the version written and keeps it', async () => {
    describeWith({ [OLD]: ['AWSCURRENT'], [NEW]: ['AWSPENDING'] });
    secrets.on(GetSecretValueCommand, { VersionId: NEW }).rejects(noValueYet());
    codeartifact.on(GetAuthorizationTokenCommand).resolves({ authorizationToken: TOKEN, expiration: futureEpoch(8) });
    secrets.on(PutSecretValueCommand).rejects(new ResourceExistsException({ message: 'exists', ...meta }));
    const { error } = await invoke(rotationEvent('createSecret', NEW));
    expect(error).toBeUndefined();
  });

  test('a stuck rotation (its pending token expired) releases AWSPENDING and says what to run, keeping AWSCURRENT', async () => {
    // GIVEN an interrupted rotation left NEW pending with a token that has since expired
    describeWith({ [OLD]: ['AWSCURRENT'], [NEW]: ['AWSPENDING'] });
    secrets.on(GetSecretValueCommand, { VersionId: NEW }).resolves({ VersionId: NEW, SecretString: goodValue(-1) });
    secrets.on(UpdateSecretVersionStageCommand).resolves({});
    // WHEN Secrets Manager retries it with the same version id
    const { logs, error } = await invoke(rotationEvent('createSecret', NEW));
    // THEN AWSPENDING leaves that version (nothing else moves), no token is asked for, and the error says what to run
    expect(secrets.commandCalls(UpdateSecretVersionStageCommand).map((c) => c.args[0].input))
      .toEqual([{ SecretId: SECRET_ARN, VersionStage: 'AWSPENDING', RemoveFromVersionId: NEW }]);
    expect(codeartifact.calls()).toHaveLength(0);
    expect(error?.message).toMatch(new RegExp(`the pending version ${NEW} of an interrupted rotation can no longer be used \\(the token expires at .*, less than 5 minutes from now\\); `
      + `its AWSPENDING label was removed, so the next scheduled rotation starts afresh\\. To rotate now, run: aws secretsmanager rotate-secret --secret-id ${SECRET_ARN.replace(/[/]/g, '\\/')}`));
    expect(logs).toContain('released a stuck rotation');
    expect(logs).not.toContain(TOKEN);
  });

  test('does nothing when the version is already AWSCURRENT', async () => {
    describeWith({ [NEW]: ['AWSCURRENT'] });
    const { error } = await invoke(rotationEvent('createSecret', NEW));
    expect(error).toBeUndefined();
    expect(codeartifact.calls()).toHaveLength(0);
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  test('fails with the AWS cause and leaves AWSCURRENT alone when CodeArtifact refuses', async () => {
    describeWith({ [OLD]: ['AWSCURRENT'], [NEW]: ['AWSPENDING'] });
    secrets.on(GetSecretValueCommand, { VersionId: NEW }).rejects(noValueYet());
    codeartifact.on(GetAuthorizationTokenCommand).rejects(new AccessDeniedException({ message: 'not authorized to perform: codeartifact:GetAuthorizationToken', ...meta }));
    const { logs, error } = await invoke(rotationEvent('createSecret', NEW));
    expect(error?.message).toMatch(/rotation step createSecret of .* failed: GetAuthorizationToken for domain 'my-domain' \(owner 444455556666, region us-east-1\) failed: AccessDeniedException/);
    expect(logs).toMatch(/"level":"ERROR".*AWSCURRENT still holds the last good token/);
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(secrets.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
  });

  test('names the missing tag when the configuration is gone', async () => {
    describeWith({ [OLD]: ['AWSCURRENT'] }, TAGS.filter((t) => !t.Key.endsWith(':domain')));
    const { error } = await invoke(rotationEvent('createSecret', NEW));
    expect(error?.message).toMatch(/invalid token configuration in the tags of secret .*: domain must match .* got null/);
    expect(codeartifact.calls()).toHaveLength(0);
  });
});

describe('setSecret', () => {
  test('has nothing to set and calls nothing', async () => {
    const { error } = await invoke(rotationEvent('setSecret', NEW));
    expect(error).toBeUndefined();
    expect(secrets.calls()).toHaveLength(0);
    expect(codeartifact.calls()).toHaveLength(0);
  });
});

describe('testSecret', () => {
  test('accepts a pending value of the documented shape with time left', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN, VersionId: NEW, VersionStage: 'AWSPENDING' }).resolves({ SecretString: goodValue() });
    const { error, logs } = await invoke(rotationEvent('testSecret', NEW));
    expect(error).toBeUndefined();
    expect(logs).not.toContain(TOKEN);
  });

  test.each([
    ['not JSON', `not json ${TOKEN}`, /the value is not JSON/],
    ['no token', JSON.stringify({ ...JSON.parse(goodValue()), authorizationToken: '' }), /the value has no authorizationToken/],
    ['no expiration', JSON.stringify({ ...JSON.parse(goodValue()), expiration: undefined }), /the value has no expiration/],
    ['a bad date', JSON.stringify({ ...JSON.parse(goodValue()), expiration: 'soon' }), /the expiration is not a date/],
    ['an expired token', goodValue(-1), /less than 5 minutes from now/],
  ])('refuses %s without quoting the value', async (_name, value, reason) => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: value });
    const { error, logs } = await invoke(rotationEvent('testSecret', NEW));
    expect(error?.message).toMatch(reason);
    expect(error?.message).not.toContain(TOKEN);
    expect(logs).not.toContain(TOKEN);
  });
});

describe('testSecret as the configuration test of a new schedule (no immediate rotation)', () => {
  // Secrets Manager runs testSecret alone against an AWSPENDING version that has no value yet.
  const noValue = () => secrets.on(GetSecretValueCommand).rejects(new SecretNotFoundException({
    message: "Secrets Manager can't find the specified secret value for VersionId: x", ...meta,
  }));

  test('passes when the configuration tags are valid, without issuing a token', async () => {
    noValue();
    describeWith({ [OLD]: ['AWSCURRENT'], [NEW]: ['AWSPENDING'] });
    const { error, logs } = await invoke(rotationEvent('testSecret', NEW));
    expect(error).toBeUndefined();
    expect(logs).toContain('configuration test');
    expect(codeartifact.calls()).toHaveLength(0);
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  test('fails, naming the tag, when the configuration is unusable', async () => {
    noValue();
    describeWith({ [OLD]: ['AWSCURRENT'], [NEW]: ['AWSPENDING'] }, TAGS.map((t) => (t.Key.endsWith(':domain-region') ? { ...t, Value: 'nowhere' } : t)));
    const { error } = await invoke(rotationEvent('testSecret', NEW));
    expect(error?.message).toMatch(/invalid token configuration in the tags of secret .*: domainRegion must be an AWS region name, got "nowhere"/);
  });

  test('fails for a version that is not pending at all', async () => {
    noValue();
    describeWith({ [OLD]: ['AWSCURRENT'] });
    const { error } = await invoke(rotationEvent('testSecret', NEW));
    expect(error?.message).toMatch(/version rotation-version-.* is not AWSPENDING/);
  });
});

describe('finishSecret', () => {
  test('moves AWSCURRENT to the new version and clears AWSPENDING', async () => {
    describeWith({ [OLD]: ['AWSCURRENT'], [NEW]: ['AWSPENDING'] });
    secrets.on(UpdateSecretVersionStageCommand).resolves({});
    const { error } = await invoke(rotationEvent('finishSecret', NEW));
    expect(error).toBeUndefined();
    expect(secrets.commandCalls(UpdateSecretVersionStageCommand).map((c) => c.args[0].input)).toEqual([
      { SecretId: SECRET_ARN, VersionStage: 'AWSCURRENT', MoveToVersionId: NEW, RemoveFromVersionId: OLD },
      { SecretId: SECRET_ARN, VersionStage: 'AWSPENDING', RemoveFromVersionId: NEW },
    ]);
  });

  test('delivered again after moving AWSCURRENT, only clears what is left', async () => {
    describeWith({ [OLD]: ['AWSPREVIOUS'], [NEW]: ['AWSCURRENT', 'AWSPENDING'] });
    secrets.on(UpdateSecretVersionStageCommand).resolves({});
    await invoke(rotationEvent('finishSecret', NEW));
    expect(secrets.commandCalls(UpdateSecretVersionStageCommand).map((c) => c.args[0].input)).toEqual([
      { SecretId: SECRET_ARN, VersionStage: 'AWSPENDING', RemoveFromVersionId: NEW },
    ]);
  });

  test('delivered again after it completed, changes nothing', async () => {
    describeWith({ [OLD]: ['AWSPREVIOUS'], [NEW]: ['AWSCURRENT'] });
    const { error } = await invoke(rotationEvent('finishSecret', NEW));
    expect(error).toBeUndefined();
    expect(secrets.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
  });

  test('refuses a version that createSecret never completed', async () => {
    describeWith({ [OLD]: ['AWSCURRENT'] });
    const { error } = await invoke(rotationEvent('finishSecret', NEW));
    expect(error?.message).toMatch(/version rotation-version-.* is not AWSPENDING; createSecret has not completed for it/);
    expect(secrets.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
  });

  test('a Secrets Manager failure leaves AWSCURRENT where it was', async () => {
    describeWith({ [OLD]: ['AWSCURRENT'], [NEW]: ['AWSPENDING'] });
    secrets.on(UpdateSecretVersionStageCommand).rejects(new InternalServiceError({ message: 'An error occurred on the server side.', ...meta }));
    const { error } = await invoke(rotationEvent('finishSecret', NEW));
    expect(error?.message).toMatch(/UpdateSecretVersionStage \(AWSCURRENT\) on .* failed: InternalServiceError: An error occurred on the server side/);
    expect(secrets.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(1);
  });
});

test('an unknown step is refused by name', async () => {
  const { error } = await invoke(rotationEvent('dropSecret', NEW));
  expect(error?.message).toMatch(/unknown rotation step "dropSecret"/);
});
