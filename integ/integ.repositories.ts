/**
 * Two tokens with their own rights in one stack, sharing one handler and one issuer role: a reader
 * of `shared`, and a publisher to `releases`. The end-to-end tests run npm, pip and twine with both
 * against the local AWS; deployed, the checker reads both secrets.
 * Deploy with `npx integ-runner --directory integ --update-on-failed` in an account of your own.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as codeartifact from 'aws-cdk-lib/aws-codeartifact';
import { CodeArtifactAuthorizationToken, RepositoryAccess } from '../lib';
import { TokenChecker } from './token-checker';

const app = new App();
const stack = new Stack(app, 'CodeArtifactTokenRepositories');

const domain = new codeartifact.CfnDomain(stack, 'Domain', { domainName: 'cdk-codeartifact-token-repos' });
const shared = new codeartifact.CfnRepository(stack, 'Shared', { domainName: domain.attrName, repositoryName: 'shared' });
const releases = new codeartifact.CfnRepository(stack, 'Releases', { domainName: domain.attrName, repositoryName: 'releases' });

const reader = new CodeArtifactAuthorizationToken(stack, 'Reader', { domain: domain.attrName, repositories: [shared.attrName] });
const publisher = new CodeArtifactAuthorizationToken(stack, 'Publisher', {
  domain: domain.attrName,
  repositories: [releases.attrName],
  access: RepositoryAccess.READ_AND_PUBLISH,
});

const checker = new TokenChecker(stack, 'Checker', [
  { token: reader, expect: { access: 'read' } },
  { token: publisher, expect: { access: 'read-and-publish' } },
]);
const integ = new IntegTest(app, 'RepositoriesTokens', { testCases: [stack] });
integ.assertions
  .invokeFunction({ functionName: checker.functionName })
  .expect(ExpectedResult.objectLike({ Payload: '"OK"' }));
