/**
 * For tasks that run the TypeScript sources through ts-node (integ cases, the demo, the bench): load
 * lib/*.ts, never jsii's compiled lib/*.js beside them, which may be stale; and skip the CDK's
 * validation plugins.
 */
export const TS_SOURCES_ENV = { TS_NODE_PREFER_TS_EXTS: 'true', CDK_VALIDATION: 'false' };
