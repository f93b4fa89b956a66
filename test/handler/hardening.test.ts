import { createHash } from 'crypto';
import { GetAuthorizationTokenCommand } from '@aws-sdk/client-codeartifact';
import {
  DescribeSecretCommand, GetSecretValueCommand, PutSecretValueCommand, UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import {
  cfnEvent, futureEpoch, handlerTestBed, invoke, ownSecretOf, ownSecretTags, ResponseServer, rotationEvent, SECRET_ARN, STACK_ID, TOKEN,
} from './harness';
import { checkResponseUrl, TEST_RESPONSE_ORIGIN_ENV } from '../../lib/handler/response-url';

const bed = handlerTestBed();
const { codeartifact, secrets, sts, server } = bed;
beforeEach(() => {
  codeartifact.on(GetAuthorizationTokenCommand).resolves({ authorizationToken: TOKEN, expiration: futureEpoch(12) });
  secrets.on(PutSecretValueCommand).resolves({ VersionId: 'v1' });
});

const nothingAskedOrWritten = () => {
  expect(sts.calls()).toHaveLength(0);
  expect(codeartifact.calls()).toHaveLength(0);
  expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  expect(secrets.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
};

describe('the handler writes only into its own stack\'s token secrets', () => {
  test('a Create naming a secret an attacker tagged with our stack tag: FAILED, nothing asked for or written', async () => {
    // GIVEN a foreign secret carrying our tag (anyone allowed to tag can add it) but not CloudFormation's
    const event = cfnEvent('Create', bed.url);
    const tags = ownSecretTags().filter((t) => t.Key !== 'aws:cloudformation:stack-id');
    secrets.on(DescribeSecretCommand).resolves({ ARN: SECRET_ARN, Tags: tags, VersionIdsToStages: {} });
    // WHEN
    await invoke(event);
    // THEN
    expect(server.responses[0].body.Status).toBe('FAILED');
    expect(server.responses[0].body.Reason).toBe(`secret ${SECRET_ARN} is not a token secret of this stack (${STACK_ID}): tag aws:cloudformation:stack-id is null; nothing was written`);
    nothingAskedOrWritten();
  });

  test('a secret of another stack is refused too', async () => {
    const other = 'arn:aws:cloudformation:eu-west-1:111122223333:stack/Other/2';
    secrets.on(DescribeSecretCommand).resolves({
      ARN: SECRET_ARN,
      Tags: ownSecretTags().map((t) => (t.Value === STACK_ID ? { ...t, Value: other } : t)),
    });
    await invoke(cfnEvent('Update', bed.url));
    expect(server.responses[0].body.Reason).toMatch(new RegExp(`tag aws:cloudformation:stack-id is "${other}", tag cdk-codeartifact-token:stack is "${other}"; nothing was written`));
    nothingAskedOrWritten();
  });

  test('an event from another stack is refused before any call', async () => {
    await invoke({ ...cfnEvent('Create', bed.url), StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/Other/2' });
    expect(server.responses[0].body.Reason).toMatch(/the event comes from stack "arn:.*stack\/Other\/2", not this handler's stack .*; nothing was written/);
    expect(secrets.calls()).toHaveLength(0);
    nothingAskedOrWritten();
  });

  test('properties that disagree with the secret\'s tags are refused, naming both', async () => {
    // GIVEN the tags say read, the properties ask to publish to shared
    const event = cfnEvent('Update', bed.url, { Repositories: 'shared', Access: 'read-and-publish' });
    secrets.on(DescribeSecretCommand).resolves({ ARN: SECRET_ARN, Tags: ownSecretTags(), VersionIdsToStages: {} });
    await invoke(event);
    expect(server.responses[0].body.Reason).toBe(`the custom resource's properties do not match the tags of secret ${SECRET_ARN}: `
      + 'Repositories is "shared" but tag cdk-codeartifact-token:repositories is "shared npm-store"; '
      + 'Access is "read-and-publish" but tag cdk-codeartifact-token:access is "read"; nothing was written');
    nothingAskedOrWritten();
  });

  test('a rotation event for a foreign secret writes nothing', async () => {
    secrets.on(DescribeSecretCommand).resolves({ ARN: SECRET_ARN, Tags: ownSecretTags().filter((t) => !t.Key.startsWith('aws:')), VersionIdsToStages: { v2: ['AWSPENDING'] } });
    const create = await invoke(rotationEvent('createSecret', 'v2'));
    const finish = await invoke(rotationEvent('finishSecret', 'v2'));
    expect(create.error?.message).toMatch(/is not a token secret of this stack .*tag aws:cloudformation:stack-id is null, tag aws:cloudformation:logical-id is null; nothing was written/);
    expect(finish.error?.message).toMatch(/is not a token secret of this stack/);
    nothingAskedOrWritten();
  });
});

describe('the ResponseURL must be CloudFormation\'s', () => {
  const STACK = (region: string, partition = 'aws') => `arn:${partition}:cloudformation:${region}:111122223333:stack/S/1`;
  test.each([
    ['https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/arn%3A...?X-Amz-Signature=x', STACK('us-east-1')],
    ['https://cloudformation-custom-resource-response-euwest1.s3-eu-west-1.amazonaws.com/k?AWSAccessKeyId=a&Signature=s', STACK('eu-west-1')],
    ['https://cloudformation-custom-resource-response-useast1.s3.us-east-1.amazonaws.com/k', STACK('us-east-1')],
    ['https://cloudformation-custom-resource-response-cnnorth1.s3.cn-north-1.amazonaws.com.cn/k', STACK('cn-north-1', 'aws-cn')],
    ['https://cloudformation-custom-resource-response-usgovwest1.s3.us-gov-west-1.amazonaws.com/k', STACK('us-gov-west-1', 'aws-us-gov')],
  ])('accepts %s', (responseUrl, stackId) => {
    expect(checkResponseUrl(responseUrl, stackId).hostname).toMatch(/^cloudformation-custom-resource-response-/);
  });

  test.each([
    ['http://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/k', 'plain http'],
    ['https://169.254.169.254/latest/meta-data', 'the instance metadata address'],
    ['https://internal.example.com/hook', 'another host'],
    ['https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/k', 'another region\'s bucket'],
    ['https://attacker-bucket.s3.amazonaws.com/k', 'another bucket'],
    ['https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com.evil.net/k', 'a look-alike host'],
    ['https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com:8443/k', 'another port'],
    ['not a url', 'no URL at all'],
  ])('refuses %s (%s)', (responseUrl) => {
    expect(() => checkResponseUrl(responseUrl, STACK('us-east-1'))).toThrow(/ResponseURL .*(is not an https URL on CloudFormation's response bucket in us-east-1, as its pre-signed URLs are|is not a URL); no response was sent/);
  });

  test('a hostile ResponseURL gets no request at all, and the invocation fails saying why', async () => {
    // GIVEN a listener standing in for an internal host; the test seam names another origin
    const hostile = new ResponseServer();
    const hostileUrl = await hostile.start();
    process.env[TEST_RESPONSE_ORIGIN_ENV] = new URL(bed.url).origin;
    try {
      secrets.on(DescribeSecretCommand).resolves(ownSecretOf(cfnEvent('Create', bed.url)));
      const { error, logs } = await invoke(cfnEvent('Create', hostileUrl));
      expect(error?.message).toMatch(/the event's ResponseURL \(http:\/\/127\.0\.0\.1:\d+\) is not an https URL on CloudFormation's response bucket/);
      expect(logs).toMatch(/"level":"ERROR","message":"refused a custom-resource event"/);
      expect(hostile.responses).toHaveLength(0);
      expect(secrets.calls()).toHaveLength(0);
      nothingAskedOrWritten();
    } finally {
      await hostile.stop();
    }
  });

  test('the test seam is closed inside a Lambda execution environment', () => {
    process.env.AWS_LAMBDA_RUNTIME_API = '127.0.0.1:9001';
    try {
      expect(() => checkResponseUrl(bed.url, STACK_ID)).toThrow(/is not an https URL on CloudFormation's response bucket/);
    } finally {
      delete process.env.AWS_LAMBDA_RUNTIME_API;
    }
  });
});

describe('events that are not ours', () => {
  test.each([
    [{}, 'an object with keys []'],
    [null, 'null'],
    ['hello', 'string'],
    [{ 'version': '0', 'detail-type': 'Scheduled Event', 'source': 'aws.events', 'detail': {} }, 'an object with keys ["version","detail-type","source","detail"]'],
  ])('%j gets one log line and a clear error, never a TypeError', async (event, shape) => {
    const { error, logs } = await invoke(event);
    expect(error?.name).toBe('HandlerError');
    expect(error?.message).toBe(`this function handles CloudFormation custom-resource events and Secrets Manager rotation events only; got ${shape}`);
    expect(logs.split('\n').filter((l) => l.includes('"level":"ERROR"'))).toHaveLength(1);
    expect(secrets.calls()).toHaveLength(0);
  });
});

describe('smaller defects', () => {
  test('a redelivered Create finds its version written and asks CodeArtifact for nothing', async () => {
    // GIVEN the version this request writes already exists
    const event = cfnEvent('Create', bed.url);
    const versionId = createHash('sha256').update(`${event.StackId}/${event.RequestId}`).digest('hex').slice(0, 64);
    secrets.on(DescribeSecretCommand).resolves(ownSecretOf(event, { [versionId]: ['AWSCURRENT'] }));
    const expiration = futureEpoch(11).toISOString();
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ expiration, authorizationToken: TOKEN }) });
    // WHEN
    await invoke(event);
    // THEN
    expect(server.responses[0].body).toMatchObject({ Status: 'SUCCESS', Data: { Expiration: expiration, VersionId: versionId } });
    nothingAskedOrWritten();
  });

  test('after the secret is replaced, the physical id names the new secret', async () => {
    const newArn = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:Renamed-XyZ123';
    const event = cfnEvent('Update', bed.url, { SecretId: newArn });
    secrets.on(DescribeSecretCommand).resolves({ ...ownSecretOf(event), ARN: newArn });
    await invoke({ ...event, OldResourceProperties: { ...event.ResourceProperties, SecretId: SECRET_ARN } });
    expect(server.responses[0].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `codeartifact-token:${newArn}` });
    // and an Update that keeps the secret keeps the physical id
    server.responses.length = 0;
    secrets.on(DescribeSecretCommand).resolves(ownSecretOf(cfnEvent('Update', bed.url)));
    await invoke(cfnEvent('Update', bed.url));
    expect(server.responses[0].body.PhysicalResourceId).toBe(`codeartifact-token:${SECRET_ARN}`);
  });

  test('a network failure is named as such, without any response body', async () => {
    secrets.on(DescribeSecretCommand).resolves(ownSecretOf(cfnEvent('Create', bed.url)));
    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' }));
    await invoke(cfnEvent('Create', bed.url));
    expect(server.responses[0].body.Reason).toMatch(/^AssumeRole of the issuer role .* failed: network failure \(ECONNREFUSED: connection refused\)$/);
  });
});
