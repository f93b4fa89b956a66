/**
 * The stack the rights e2e (test/e2e/rights.e2e.ts) attacks: four tokens with distinct rights sharing
 * one handler and one issuer role, and a secret of the same stack that is no token.
 *
 * - A reads `shared`, B reads `other`, C reads and publishes to `releases` (domain `acme`, this account);
 * - D reads `tools` in `partner`, a domain of another account, so the issuer holds rights there too;
 * - `DatabasePassword`, a plain secret of the stack, which the handler must never write.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as codeartifact from 'aws-cdk-lib/aws-codeartifact';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { CodeArtifactAuthorizationToken, RepositoryAccess } from '../../../lib';

export const RIGHTS_STACK = 'CodeArtifactTokenRights';
export const PARTNER_ACCOUNT = '111122223333';

const app = new App();
const stack = new Stack(app, RIGHTS_STACK);

const domain = new codeartifact.CfnDomain(stack, 'Domain', { domainName: 'acme' });
const repository = (id: string, name: string) => new codeartifact.CfnRepository(stack, id, { domainName: domain.attrName, repositoryName: name });
const shared = repository('Shared', 'shared');
const other = repository('Other', 'other');
const releases = repository('Releases', 'releases');

new CodeArtifactAuthorizationToken(stack, 'A', { domain: domain.attrName, repositories: [shared.attrName] });
new CodeArtifactAuthorizationToken(stack, 'B', { domain: domain.attrName, repositories: [other.attrName] });
new CodeArtifactAuthorizationToken(stack, 'C', { domain: domain.attrName, repositories: [releases.attrName], access: RepositoryAccess.READ_AND_PUBLISH });
new CodeArtifactAuthorizationToken(stack, 'D', { domain: 'partner', domainOwner: PARTNER_ACCOUNT, repositories: ['tools'] });

new secretsmanager.Secret(stack, 'DatabasePassword', { description: 'A secret of the same stack that is no token' });

app.synth();
