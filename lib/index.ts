export * from './codeartifact-authorization-token';
export * from './repository-access';
