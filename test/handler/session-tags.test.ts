import { createHash } from 'crypto';
import { GetAuthorizationTokenCommand } from '@aws-sdk/client-codeartifact';
import { DescribeSecretCommand, GetSecretValueCommand, PutSecretValueCommand, ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { cfnEvent, futureEpoch, handlerTestBed, invoke, ownSecretTags, rotationEvent, SECRET_ARN, TOKEN } from './harness';
import { describeError, scrub } from '../../lib/handler/errors';

const bed = handlerTestBed();
const { codeartifact, secrets, sts, server } = bed;
const notFound = () => new ResourceNotFoundException({ message: 'no such version', $metadata: { httpStatusCode: 400 } });
beforeEach(() => {
  codeartifact.on(GetAuthorizationTokenCommand).resolves({ authorizationToken: TOKEN, expiration: futureEpoch(12) });
  secrets.on(PutSecretValueCommand).resolves({ VersionId: 'v1' });
  secrets.on(GetSecretValueCommand).rejects(notFound());
});

/** The token id the harness's secret gets: from its logical id tag, `TokenSecret`. */
const ID = createHash('sha256').update('TokenSecret').digest('hex').slice(0, 16);
const tagsOfCall = (n = 0) => sts.commandCalls(AssumeRoleCommand)[n].args[0].input.Tags;
const rotateWith = (tags: Array<{ Key: string; Value: string }>) => {
  secrets.on(DescribeSecretCommand).resolves({ ARN: SECRET_ARN, Tags: tags, VersionIdsToStages: {} });
  return invoke(rotationEvent('createSecret'));
};

describe('the handler names the token and its configuration in two session tags', () => {
  test('at deploy time: the id from CloudFormation\'s logical-id tag, and the configuration of the event', async () => {
    // WHEN
    await bed.issue('Create', { Repositories: 'releases', Access: 'read-and-publish', DurationSeconds: '3600' });
    // THEN
    expect(server.responses[0].body.Status).toBe('SUCCESS');
    expect(tagsOfCall()).toEqual([
      { Key: 'cdk-codeartifact-token:token', Value: `${ID} 3600 read-and-publish 111122223333 eu-west-1 my-domain` },
      { Key: 'cdk-codeartifact-token:repositories', Value: `${ID} releases` },
    ]);
  });

  test('at rotation: the configuration the tags hold now, so a widened tag asks for a session the issuer role refuses', async () => {
    // GIVEN tags widened by someone with secretsmanager:TagResource
    const widened = ownSecretTags({ repositories: 'shared other releases', access: 'read-and-publish' });
    // WHEN
    const { error } = await rotateWith(widened);
    // THEN the session tags say exactly what the session policy allows (IAM compares them with the template)
    expect(error).toBeUndefined();
    expect(tagsOfCall()).toEqual([
      { Key: 'cdk-codeartifact-token:token', Value: `${ID} 43200 read-and-publish 111122223333 eu-west-1 my-domain` },
      { Key: 'cdk-codeartifact-token:repositories', Value: `${ID} shared other releases` },
    ]);
  });

  test('a user tag that looks like a session tag, or another logical id in a user tag, changes nothing', async () => {
    // GIVEN tags that try to name another token
    const tags = [...ownSecretTags(), { Key: 'cdk-codeartifact-token:token', Value: 'ffffffffffffffff 43200 read' }, { Key: 'logical-id', Value: 'Other' }];
    // WHEN
    await rotateWith(tags);
    // THEN
    expect(tagsOfCall()![0].Value).toMatch(new RegExp(`^${ID} `));
  });

  test('every repository is `:all`, as the template writes it', async () => {
    // WHEN
    await rotateWith(ownSecretTags({ repositories: ':all' }));
    // THEN
    expect(tagsOfCall()![1]).toEqual({ Key: 'cdk-codeartifact-token:repositories', Value: `${ID} :all` });
  });
});

describe('configurations STS would refuse are refused before asking it, saying why', () => {
  test('repositories tags too long for a session tag: nothing asked for, nothing written', async () => {
    // GIVEN three 80-character names: 242 characters, more than the 239 the session tag leaves
    const names = ['a', 'b', 'c'].map((c) => c.repeat(80)).join(' ');
    // WHEN
    const { error } = await rotateWith(ownSecretTags({ repositories: names }));
    // THEN
    expect(error?.message).toMatch(/session tag cdk-codeartifact-token:repositories would have 259 characters, more than the 256 AWS STS accepts; .*configuration tags of the secret were changed.*nothing was written/);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  test('a session policy over STS\'s 2,048 characters: nothing asked for, nothing written', async () => {
    // GIVEN twelve repositories with publishing: each adds two ARNs to the policy
    const names = Array.from({ length: 12 }, (_, i) => `repo-${i}`).join(' ');
    // WHEN
    const { error } = await rotateWith(ownSecretTags({ repositories: names, access: 'read-and-publish' }));
    // THEN
    expect(error?.message).toMatch(/session policy has \d{4} characters, more than the 2048 AWS STS accepts/);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  test('a secret without CloudFormation\'s logical-id tag is not a token secret', async () => {
    // WHEN
    const { error } = await rotateWith(ownSecretTags().filter((t) => t.Key !== 'aws:cloudformation:logical-id'));
    // THEN
    expect(error?.message).toMatch(/is not a token secret of this stack .*tag aws:cloudformation:logical-id is null; nothing was written/);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });
});

describe('service messages are scrubbed of credentials and signatures, whatever their length', () => {
  const SESSION_TOKEN = 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDx' + 'A'.repeat(200);
  const canonical = 'The request signature we calculated does not match the signature you provided. '
    + "The Canonical String for this request should have been\n'POST\n/\n\nhost:sts.amazonaws.com\n"
    + `x-amz-security-token:${SESSION_TOKEN}\n'\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20261203T000000Z'`;

  test('InvalidSignatureException: the canonical request and string to sign are withheld, short as the message is', () => {
    // GIVEN
    const err = Object.assign(new Error(canonical), { name: 'InvalidSignatureException', $metadata: { httpStatusCode: 403 } });
    // WHEN
    const text = describeError(err);
    // THEN
    expect(text).toBe('InvalidSignatureException: The request signature we calculated does not match the signature you provided. '
      + '[the canonical request and string to sign are withheld]');
  });

  test.each([
    ['an access key id', 'The security token included in the request is invalid: ASIAIOSFODNN7EXAMPLE', 'ASIAIOSFODNN7EXAMPLE', '[access key id]'],
    ['a bearer token key id', 'key ABIAIOSFODNN7EXAMPLE expired', 'ABIAIOSFODNN7EXAMPLE', '[access key id]'],
    ['a session token', `token ${SESSION_TOKEN} rejected`, 'IQoJb3JpZ2luX2VjEJr', '[withheld]'],
    ['a CodeArtifact token', `bad ${'eyJ2ZXIiOjEsImlzdSI6MTcwMDAwMDAwMH0'.repeat(3)}.${'x_-'.repeat(30)}`, 'eyJ2ZXIiOjEsImlzdSI6', '[withheld]'],
  ])('%s is withheld', (_what, message, secret, replacement) => {
    // WHEN
    const text = scrub(message);
    // THEN
    expect(text).not.toContain(secret);
    expect(text).toContain(replacement);
  });

  test('ARNs and names in AWS\'s messages stay readable', () => {
    // GIVEN
    const message = 'User: arn:aws:sts::111122223333:assumed-role/Stack-CodeArtifactTokenHandlerIssuerRole615151B3-AbCdEf012345/TokenSecret-AbCdEf '
      + 'is not authorized to perform: sts:GetServiceBearerToken on resource: *';
    // THEN
    expect(scrub(message)).toBe(message);
  });

  test('STS\'s ValidationError is named with its (scrubbed) message', () => {
    // GIVEN
    const err = Object.assign(new Error("1 validation error detected: Value at 'policy' failed to satisfy constraint"), { name: 'ValidationError', $metadata: { httpStatusCode: 400 } });
    // THEN
    expect(describeError(err)).toBe("ValidationError: 1 validation error detected: Value at 'policy' failed to satisfy constraint");
  });
});
