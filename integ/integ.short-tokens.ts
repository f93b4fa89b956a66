/**
 * A 15-minute token, rotated every 5 minutes by an EventBridge Scheduler schedule that calls
 * RotateSecret (Secrets Manager's own schedule cannot go below 4 hours), and replicated to another
 * region. The end-to-end tests drive its rotations through the local Secrets Manager; deployed, the
 * assertion waits for the first scheduled RotateSecret to have turned rotation on with the handler.
 * Deploy with `npx integ-runner --directory integ --update-on-failed` in an account of your own.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as codeartifact from 'aws-cdk-lib/aws-codeartifact';
import { CodeArtifactAuthorizationToken } from '../lib';

const app = new App();
const stack = new Stack(app, 'CodeArtifactTokenShort');

const domain = new codeartifact.CfnDomain(stack, 'Domain', { domainName: 'cdk-codeartifact-token-short' });
const repository = new codeartifact.CfnRepository(stack, 'Repository', { domainName: domain.attrName, repositoryName: 'shared' });
const token = new CodeArtifactAuthorizationToken(stack, 'Token', {
  domain: domain.attrName,
  repositories: [repository.attrName],
  tokenDuration: Duration.minutes(15),
  replicaRegions: [{ region: 'us-west-2' }],
});

const integ = new IntegTest(app, 'ShortTokens', { testCases: [stack] });
// DescribeSecret carries no secret value. Rotation is on (with our handler) only once the schedule
// has run RotateSecret: within its first 5 minutes.
integ.assertions
  .awsApiCall('SecretsManager', 'describeSecret', { SecretId: token.secret.secretArn })
  .expect(ExpectedResult.objectLike({ RotationEnabled: true, RotationRules: { ScheduleExpression: 'rate(4 hours)' } }))
  .waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.minutes(1) });
