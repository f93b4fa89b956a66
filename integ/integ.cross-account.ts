/**
 * A token for a CodeArtifact domain in another account (`domainOwner`), and that account's side:
 * its domain and repository, whose permissions policies trust the token's issuer role through
 * `token.domainPolicyStatement()` and `token.repositoryPolicyStatement()`.
 *
 * Two stacks in two accounts. Deploy with credentials that can deploy into both (for example a
 * profile per account and `cdk bootstrap` of each account trusting the other):
 *   CDK_INTEG_TOKEN_ACCOUNT=<this account> CDK_INTEG_DOMAIN_OWNER_ACCOUNT=<owner account> \
 *     TS_NODE_PREFER_TS_EXTS=true npx integ-runner --directory integ --language typescript --force integ.cross-account.ts
 * The defaults are placeholders that keep the committed snapshot stable; deploying with them fails.
 * A successful run rewrites the snapshot with your values: restore the committed one before committing.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as codeartifact from 'aws-cdk-lib/aws-codeartifact';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CodeArtifactAuthorizationToken } from '../lib';
import { TokenChecker } from './token-checker';

const account = process.env.CDK_INTEG_TOKEN_ACCOUNT ?? '222233334444';
const domainOwner = process.env.CDK_INTEG_DOMAIN_OWNER_ACCOUNT ?? '111122223333';
const region = 'us-east-1';
const domainName = 'cdk-codeartifact-token-cross-account';
const repositoryName = 'shared';

const app = new App();
const stack = new Stack(app, 'CodeArtifactTokenCrossAccount', { env: { account, region } });
const token = new CodeArtifactAuthorizationToken(stack, 'Token', { domain: domainName, domainOwner, repositories: [repositoryName] });

// The owner's account: its domain and repository let the token's issuer role in. The issuer role has a
// generated name, so these policies name it without a cross-stack reference.
const owner = new Stack(app, 'CodeArtifactTokenDomainOwner', { env: { account: domainOwner, region } });
const domain = new codeartifact.CfnDomain(owner, 'Domain', {
  domainName,
  permissionsPolicyDocument: new iam.PolicyDocument({ statements: [token.domainPolicyStatement()] }),
});
new codeartifact.CfnRepository(owner, 'Repository', {
  domainName: domain.attrName,
  repositoryName,
  permissionsPolicyDocument: new iam.PolicyDocument({ statements: [token.repositoryPolicyStatement()] }),
});
stack.addDependency(owner);

// The secret's value names the domain's owner: the token was issued for the other account's domain.
const checker = new TokenChecker(stack, 'Checker', [{ token, expect: { domain: domainName, domainOwner } }]);
const integ = new IntegTest(app, 'CrossAccountToken', {
  testCases: [owner, stack],
  // integ-runner's update workflow deploys the committed snapshot first: its placeholder owner cannot deploy.
  stackUpdateWorkflow: false,
});
integ.assertions
  .invokeFunction({ functionName: checker.functionName })
  .expect(ExpectedResult.objectLike({ Payload: '"OK"' }));
