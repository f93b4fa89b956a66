export * from './codeartifact-authorization-token';
