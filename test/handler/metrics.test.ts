import { AccessDeniedException, CodeartifactClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-codeartifact';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException as SecretNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { cfnEvent, futureEpoch, invoke, mockSts, ownSecretOf, ownSecretTags, ResponseServer, rotationEvent, SECRET_ARN, TOKEN } from './harness';
import { printTokenIssued } from '../../lib/handler/metrics';

const codeartifact = mockClient(CodeartifactClient);
const secrets = mockClient(SecretsManagerClient);
const { reset: resetSts } = mockSts();
const server = new ResponseServer();
let url: string;
const meta = { $metadata: { httpStatusCode: 400, attempts: 1 } };
const NEW = 'rotation-version-0001-0000-000000000000';

beforeAll(async () => { url = await server.start(); });
afterAll(() => server.stop());
beforeEach(() => {
  codeartifact.reset();
  secrets.reset();
  resetSts();
});

/** The shape every EMF line must have (CloudWatch user guide, "Specification: Embedded metric format"). */
const emfDocument = (validity: jest.AsymmetricMatcher | number, issuedBy: string) => ({
  _aws: {
    Timestamp: expect.any(Number),
    CloudWatchMetrics: [{
      Namespace: 'CdkCodeArtifactToken',
      Dimensions: [['SecretArn']],
      Metrics: [{ Name: 'TokensIssued', Unit: 'Count' }, { Name: 'TokenValiditySeconds', Unit: 'Seconds' }],
    }],
  },
  SecretArn: SECRET_ARN,
  TokensIssued: 1,
  TokenValiditySeconds: validity,
  issuedBy,
  expiration: expect.any(String),
});

describe('the freshness metric (CloudWatch embedded metric format)', () => {
  test('printTokenIssued writes one JSON line, with nothing before or after it, and the seconds left', () => {
    // GIVEN
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((c: any) => { written.push(String(c)); return true; });
    // WHEN
    try {
      printTokenIssued(SECRET_ARN, '2026-01-01T12:00:00.000Z', 'deploy', Date.parse('2026-01-01T00:00:00.000Z'));
    } finally {
      spy.mockRestore();
    }
    // THEN
    expect(written).toHaveLength(1);
    expect(written[0].endsWith('\n')).toBe(true);
    expect(written[0].trimEnd().split('\n')).toHaveLength(1);
    const document = JSON.parse(written[0]);
    expect(document).toEqual(emfDocument(43200, 'deploy'));
    expect(document._aws.Timestamp).toBe(Date.parse('2026-01-01T00:00:00.000Z'));
    expect(document.expiration).toBe('2026-01-01T12:00:00.000Z');
  });

  test.each(['Create', 'Update'] as const)('%s prints one line under the secret\'s ARN, with the token\'s validity, and no token', async (type) => {
    // GIVEN
    codeartifact.on(GetAuthorizationTokenCommand).resolves({ authorizationToken: TOKEN, expiration: futureEpoch(12) });
    secrets.on(PutSecretValueCommand).resolves({ VersionId: 'v1' });
    const event = cfnEvent(type, url);
    secrets.on(DescribeSecretCommand).resolves(ownSecretOf(event));
    // WHEN
    const { emf, logs, error } = await invoke(event);
    // THEN
    expect(error).toBeUndefined();
    expect(emf).toEqual([emfDocument(expect.any(Number), 'deploy')]);
    expect(emf[0].TokenValiditySeconds).toBeGreaterThan(43200 - 10);
    expect(emf[0].TokenValiditySeconds).toBeLessThanOrEqual(43200);
    expect(JSON.stringify(emf)).not.toContain(TOKEN);
    expect(logs).not.toContain(TOKEN);
  });

  test('a rotation\'s createSecret prints one line; its other steps and a repeated delivery print none', async () => {
    // GIVEN a rotation version without a value yet
    secrets.on(DescribeSecretCommand).resolves({ ARN: SECRET_ARN, Tags: ownSecretTags(), VersionIdsToStages: { [NEW]: ['AWSPENDING'] } });
    secrets.on(GetSecretValueCommand, { VersionId: NEW }).rejects(new SecretNotFoundException({ message: 'no value', ...meta }));
    codeartifact.on(GetAuthorizationTokenCommand).resolves({ authorizationToken: TOKEN, expiration: futureEpoch(12) });
    secrets.on(PutSecretValueCommand).resolves({});
    // WHEN
    const first = await invoke(rotationEvent('createSecret', NEW));
    // THEN
    expect(first.error).toBeUndefined();
    expect(first.emf).toEqual([emfDocument(expect.any(Number), 'rotation')]);
    expect(JSON.stringify(first.emf)).not.toContain(TOKEN);

    // GIVEN the step delivered again, after it wrote its version
    secrets.on(GetSecretValueCommand, { VersionId: NEW }).resolves({
      VersionId: NEW, SecretString: JSON.stringify({ authorizationToken: TOKEN, expiration: futureEpoch(12).toISOString(), domain: 'd', domainOwner: '1', domainRegion: 'r' }),
    });
    // WHEN
    const again = await invoke(rotationEvent('createSecret', NEW));
    const setSecret = await invoke(rotationEvent('setSecret', NEW));
    // THEN no token was issued, so no line
    expect(again.error).toBeUndefined();
    expect(again.emf).toEqual([]);
    expect(setSecret.emf).toEqual([]);
  });

  test('a failed issue prints no metric line', async () => {
    // GIVEN
    const event = cfnEvent('Create', url);
    secrets.on(DescribeSecretCommand).resolves(ownSecretOf(event));
    codeartifact.on(GetAuthorizationTokenCommand).rejects(new AccessDeniedException({ message: 'denied', ...meta }));
    // WHEN
    const { emf } = await invoke(event);
    // THEN
    expect(emf).toEqual([]);
  });
});
