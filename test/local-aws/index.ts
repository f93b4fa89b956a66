/** The local AWS kit: what e2e specs, the demo and the bench use. */
export * from './cfn-responses';
export * from './checks';
export * from './environment';
export * from './fake-codeartifact';
export * from './lambda-process';
export * from './lifecycle';
export * from './moto';
export * from './python-venv';
export * from './secrets-proxy';
export * from './synth';
export * from './template';
export * from './iam-evaluation';
export * from './identities';
export * from './local-sts';
export * from './package-clients';
export * from './package-repositories';
