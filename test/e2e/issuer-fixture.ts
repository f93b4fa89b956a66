/**
 * A fixture for the IAM evaluator and the repositories that use it: the identity policy of a role that
 * issues tokens for one domain (read every repository, publish to all but `mirror`).
 */
import { PolicyDocument } from '../local-aws/iam-evaluation';

export const OWNER = '111122223333';
export const REGION = 'eu-west-1';
export const DOMAIN = 'acme-corp';
export const ARN = `arn:aws:codeartifact:${REGION}:${OWNER}`;
export const repositoryArn = (repo: string) => `${ARN}:repository/${DOMAIN}/${repo}`;
export const V = '2012-10-17';

export const ISSUER: PolicyDocument = {
  Version: V,
  Statement: [
    { Sid: 'Read', Effect: 'Allow', Action: 'codeartifact:ReadFromRepository', Resource: `${ARN}:repository/${DOMAIN}/*` },
    { Sid: 'Publish', Effect: 'Allow', Action: ['codeartifact:PublishPackageVersion', 'codeartifact:PutPackageMetadata'], Resource: `${ARN}:package/${DOMAIN}/*` },
    { Sid: 'NeverIntoMirror', Effect: 'Deny', Action: 'codeartifact:Publish*', Resource: `${ARN}:package/${DOMAIN}/mirror/*` },
  ],
};
