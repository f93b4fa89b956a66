/**
 * A token for a CodeArtifact domain in another account (`domainOwner`).
 *
 * The domain cannot be created here: it belongs to the other account. Before deploying, that
 * account (CDK_INTEG_DOMAIN_OWNER_ACCOUNT) needs, in this test's region:
 *   - a CodeArtifact domain named CDK_INTEG_CROSS_ACCOUNT_DOMAIN;
 *   - a domain resource policy (`aws codeartifact put-domain-permissions-policy`) that allows
 *     `codeartifact:GetAuthorizationToken` to this (the deploying) account's token handler role.
 *     Trusting the account is enough, since the handler role's own policy names only this domain:
 *       { "Version": "2012-10-17", "Statement": [{ "Effect": "Allow",
 *         "Action": "codeartifact:GetAuthorizationToken", "Resource": "*",
 *         "Principal": { "AWS": "arn:aws:iam::<this account>:root" } }] }
 *     (narrow it with an `aws:PrincipalArn` condition on the handler role's ARN if you prefer).
 * Nothing else: `sts:GetServiceBearerToken` is called and granted in this (the handler's) account.
 *
 * Deploy with
 *   CDK_INTEG_DOMAIN_OWNER_ACCOUNT=111122223333 CDK_INTEG_CROSS_ACCOUNT_DOMAIN=shared-packages \
 *     TS_NODE_PREFER_TS_EXTS=true npx integ-runner --directory integ --language typescript --force integ.cross-account.ts
 * The defaults are placeholders that keep the committed snapshot stable; deploying with them fails.
 * A successful run rewrites the snapshot with your values: restore the committed one before committing.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import { CodeArtifactAuthorizationToken } from '../lib';
import { TokenChecker } from './token-checker';

const domainOwner = process.env.CDK_INTEG_DOMAIN_OWNER_ACCOUNT ?? '111122223333';
const domainName = process.env.CDK_INTEG_CROSS_ACCOUNT_DOMAIN ?? 'cdk-codeartifact-token-cross-account';

const app = new App();
const stack = new Stack(app, 'CodeArtifactTokenCrossAccount');

const token = new CodeArtifactAuthorizationToken(stack, 'Token', { domain: domainName, domainOwner });

// The secret's value names the domain's owner: the token was issued for the other account's domain.
const checker = new TokenChecker(stack, 'Checker', [{ token, expect: { domain: domainName, domainOwner } }]);
const integ = new IntegTest(app, 'CrossAccountToken', {
  testCases: [stack],
  // integ-runner's update workflow deploys the committed snapshot first: its placeholder owner cannot deploy.
  stackUpdateWorkflow: false,
});
integ.assertions
  .invokeFunction({ functionName: checker.functionName })
  .expect(ExpectedResult.objectLike({ Payload: '"OK"' }));
