export * from './codeartifact-authorization-token';
export * from './repository-access';
export * from './consumer-options';
