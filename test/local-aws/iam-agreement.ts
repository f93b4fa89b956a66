/**
 * Two IAM evaluators, one verdict: each request MiniStack's IAM judged (AUTH=true) during a deploy,
 * judged again by the kit's evaluator (iam-evaluation.ts) over the policies MiniStack holds.
 *
 * - The handler role's Secrets Manager and sts:AssumeRole calls: MiniStack's verdict is the call's
 *   outcome as the AwsCallRecorder saw it (AccessDenied or not).
 * - The issuer role's codeartifact:GetAuthorizationToken and sts:GetServiceBearerToken: those calls go
 *   to the kit's fake CodeArtifact, which MiniStack never sees, so MiniStack is asked through its
 *   policy simulator (SimulatePrincipalPolicy for the role, SimulateCustomPolicy for each session
 *   policy the handler passed to AssumeRole).
 *
 * Request context the kit passes its evaluator, and why it exists on AWS:
 * - `aws:ResourceTag/KEY` on Secrets Manager calls: the secret's tags ("Controlling access to AWS
 *   resources using tags", IAM User Guide; Secrets Manager supports it per "Actions, resources, and
 *   condition keys for AWS Secrets Manager").
 * - `aws:RequestTag/KEY` and `aws:TagKeys` on an AssumeRole with Tags ("Passing session tags in AWS
 *   STS", IAM User Guide).
 * - `lambda:SourceFunctionArn` on every call made with a function's execution-role credentials
 *   ("Working with Lambda execution environment credentials", Lambda Developer Guide).
 */
import {
  GetPolicyCommand, GetPolicyVersionCommand, GetRoleCommand, GetRolePolicyCommand, IAMClient, ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand, SimulateCustomPolicyCommand, SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import type { RecordedCall } from './aws-call-recorder';
import { actionMatches, conditionsMatch, evaluate, PolicyDocument } from './iam-evaluation';

export interface IamComparison {
  /** Who asked, e.g. `handler role` or `issuer session`. */
  readonly who: string;
  readonly action: string;
  readonly resource: string;
  readonly ministack: 'allowed' | 'denied';
  readonly kit: 'allowed' | 'denied';
  /** How MiniStack's verdict was obtained, and the kit's reason. */
  readonly how: string;
}

export interface DeployedRole {
  readonly arn: string;
  readonly identityPolicies: PolicyDocument[];
  readonly trustPolicy: any;
}

/** A role's policies as MiniStack holds them: inline (AWS::IAM::Policy lands there), attached managed, and trust. */
export async function deployedRole(iam: IAMClient, roleName: string): Promise<DeployedRole> {
  const role = (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role!;
  const docs: PolicyDocument[] = [];
  for (const name of (await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }))).PolicyNames ?? []) {
    docs.push(parseDocument((await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }))).PolicyDocument!));
  }
  for (const attached of (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }))).AttachedPolicies ?? []) {
    const policy = (await iam.send(new GetPolicyCommand({ PolicyArn: attached.PolicyArn }))).Policy!;
    const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: attached.PolicyArn, VersionId: policy.DefaultVersionId }));
    docs.push(parseDocument(version.PolicyVersion!.Document!));
  }
  return { arn: role.Arn!, identityPolicies: docs, trustPolicy: parseDocument(role.AssumeRolePolicyDocument!) };
}

/** IAM returns policy documents URL-encoded (IAM API Reference, GetRolePolicy: "URL-encoded compliant with RFC 3986"). */
function parseDocument(text: string): any {
  return JSON.parse(text.trimStart().startsWith('{') ? text : decodeURIComponent(text));
}

export interface HandlerCallsInput {
  readonly calls: readonly RecordedCall[];
  readonly handler: DeployedRole;
  readonly handlerFunctionArn: string;
  /** Each secret the handler may touch: its ARN, name and tags (for aws:ResourceTag). */
  readonly secrets: ReadonlyArray<{ arn: string; name: string; tags: Record<string, string> }>;
  /** The issuer role (the trust policy the handler's AssumeRole meets). */
  readonly issuer: DeployedRole;
  /**
   * Issuer sessions by access key id, with the session policy AssumeRole gave them: their calls to
   * MiniStack are judged with the issuer role's policies and that session policy.
   */
  readonly issuerSessions?: ReadonlyMap<string, { sessionPolicy?: PolicyDocument; tags?: Record<string, string> }>;
}

const DENIED = new Set(['AccessDenied', 'AccessDeniedException']);

/** The handler role's recorded calls, each with MiniStack's outcome and the kit's verdict. */
export function compareHandlerCalls(input: HandlerCallsInput): IamComparison[] {
  const out: IamComparison[] = [];
  for (const call of input.calls) {
    // Root (a 12-digit key id: the test itself) is not judged; issuer sessions call only CodeArtifact.
    if (!call.accessKeyId || /^\d{12}$/.test(call.accessKeyId)) continue;
    const ministack = call.status < 400 || !DENIED.has(call.errorCode ?? '') ? 'allowed' : 'denied';
    // aws:PrincipalArn of a role session is the role's ARN ("AWS global condition context keys").
    const base = { 'lambda:SourceFunctionArn': input.handlerFunctionArn, 'aws:PrincipalArn': input.handler.arn };
    if (call.service === 'secretsmanager') {
      const secret = input.secrets.find((s) => s.arn === call.params.SecretId || s.name === call.params.SecretId);
      if (!secret) throw new Error(`the handler called ${call.operation} on ${call.params.SecretId}, not a secret of the stack`);
      const issuerSession = input.issuerSessions?.get(call.accessKeyId);
      const resourceTags = Object.fromEntries(Object.entries(secret.tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v]));
      // A session's tags are its aws:PrincipalTag/KEY ("Passing session tags in AWS STS").
      const principalTags = Object.fromEntries(Object.entries(issuerSession?.tags ?? {}).map(([k, v]) => [`aws:PrincipalTag/${k}`, v]));
      const context = issuerSession
        ? { 'aws:PrincipalArn': input.issuer.arn, ...principalTags, ...resourceTags }
        : { ...base, ...resourceTags };
      const d = evaluate({
        action: `secretsmanager:${call.operation}`,
        resource: secret.arn,
        identityPolicies: issuerSession ? input.issuer.identityPolicies : input.handler.identityPolicies,
        sessionPolicy: issuerSession?.sessionPolicy,
        context,
      });
      out.push({ who: issuerSession ? 'issuer session' : 'handler role', action: `secretsmanager:${call.operation}`, resource: secret.arn, ministack, kit: d.allowed ? 'allowed' : 'denied', how: `call outcome ${call.status} ${call.errorCode ?? ''}; kit: ${d.reason}` });
    } else if (call.service === 'sts' && call.operation === 'AssumeRole') {
      const tags = sessionTags(call.params);
      const context = {
        ...base,
        ...Object.fromEntries(tags.map(([k, v]) => [`aws:RequestTag/${k}`, v])),
        ...(tags.length > 0 ? { 'aws:TagKeys': tags.map(([k]) => k) } : {}),
      };
      const roleArn = String(call.params.RoleArn);
      const trustActions = tags.length > 0 ? ['sts:AssumeRole', 'sts:TagSession'] : ['sts:AssumeRole'];
      // Per action: the trust policy allows it by naming the caller's role, or by naming the account
      // and the caller's identity policy allows it too.
      const identity = new Map(trustActions.map((action) => [action,
        evaluate({ action, resource: roleArn, identityPolicies: input.handler.identityPolicies, context })]));
      const trust = roleArn === input.issuer.arn
        ? trustAllows(input.issuer.trustPolicy, input.handler.arn, trustActions, (action) => identity.get(action)!.allowed, context)
        : { allowed: false, reason: `${roleArn} is not the issuer role` };
      out.push({
        who: 'handler role',
        action: trustActions.join('+'),
        resource: roleArn,
        ministack,
        kit: trust.allowed ? 'allowed' : 'denied',
        how: `call outcome ${call.status} ${call.errorCode ?? ''}; kit: ${[...identity.values()].map((d) => d.reason).join('; ')}; trust: ${trust.reason}`,
      });
    }
  }
  return out;
}

/** AssumeRole's Tags as `[key, value]`, from the query protocol's `Tags.member.N.Key` or the JSON protocol's list. */
export function sessionTags(params: Record<string, any>): Array<[string, string]> {
  if (Array.isArray(params.Tags)) return params.Tags.map((t: any) => [t.Key, t.Value]);
  const tags: Array<[string, string]> = [];
  for (let i = 1; params[`Tags.member.${i}.Key`] !== undefined; i++) tags.push([params[`Tags.member.${i}.Key`], params[`Tags.member.${i}.Value`]]);
  return tags;
}

/**
 * A trust policy's verdict for a role session of `callerRoleArn` in the same account: a statement
 * whose AWS principal is that role's ARN allows by itself; one whose principal is the account root
 * (or the account id) delegates to the caller's identity policy ("Policy evaluation for requests
 * within a single account" and "How IAM roles differ from resource-based policies", IAM User Guide).
 * Every action in `actions` must be allowed (sts:TagSession with session tags: "Passing session
 * tags in AWS STS", "Permissions required to add session tags").
 */
function trustAllows(
  trust: any, callerRoleArn: string, actions: string[], identityAllows: (action: string) => boolean, context: Record<string, string | string[]>,
): { allowed: boolean; reason: string } {
  const account = callerRoleArn.split(':')[4];
  const statements: any[] = [trust.Statement].flat();
  for (const action of actions) {
    const allowing = statements.find((s) => {
      if (s.Effect !== 'Allow' || ![s.Action].flat().some((a: string) => actionMatches(a, action))) return false;
      const principals = [s.Principal?.AWS].flat().filter(Boolean).map(String);
      const direct = principals.includes(callerRoleArn);
      const viaAccount = principals.includes(`arn:aws:iam::${account}:root`) || principals.includes(account);
      return (direct || (viaAccount && identityAllows(action))) && conditionsMatch(s.Condition, context);
    });
    if (!allowing) return { allowed: false, reason: `no trust statement allows ${action} to ${callerRoleArn}` };
  }
  return { allowed: true, reason: `the trust policy allows ${actions.join(' and ')}` };
}

export interface IssuerInput {
  readonly iam: IAMClient;
  readonly issuer: DeployedRole;
  readonly domainArn: string;
  /** The session policies the handler passed to AssumeRole (recorded), JSON. */
  readonly sessionPolicies: readonly string[];
}

/**
 * The issuer's two calls, as MiniStack's policy simulator judges them for the role and for each
 * session policy, against the kit's evaluator on the same documents. The simulator takes no
 * ContextEntries (a gap, see README.md), so both judge without `sts:AWSServiceName`.
 */
export async function compareIssuer(input: IssuerInput): Promise<IamComparison[]> {
  const requests: Array<[string, string]> = [
    ['codeartifact:GetAuthorizationToken', input.domainArn],
    ['sts:GetServiceBearerToken', '*'],
  ];
  const out: IamComparison[] = [];
  for (const [action, resource] of requests) {
    const sim = await input.iam.send(new SimulatePrincipalPolicyCommand({
      PolicySourceArn: input.issuer.arn, ActionNames: [action], ResourceArns: [resource],
    }));
    const d = evaluate({ action, resource, identityPolicies: input.issuer.identityPolicies });
    out.push({ who: 'issuer role', action, resource, ministack: verdictOf(sim.EvaluationResults?.[0]?.EvalDecision), kit: d.allowed ? 'allowed' : 'denied', how: `SimulatePrincipalPolicy ${sim.EvaluationResults?.[0]?.EvalDecision}; kit: ${d.reason}` });
    for (const policy of new Set(input.sessionPolicies)) {
      const simSession = await input.iam.send(new SimulateCustomPolicyCommand({
        PolicyInputList: [policy], ActionNames: [action], ResourceArns: [resource],
      }));
      const ds = evaluate({ action, resource, identityPolicies: [JSON.parse(policy)] });
      out.push({ who: 'issuer session policy', action, resource, ministack: verdictOf(simSession.EvaluationResults?.[0]?.EvalDecision), kit: ds.allowed ? 'allowed' : 'denied', how: `SimulateCustomPolicy ${simSession.EvaluationResults?.[0]?.EvalDecision}; kit: ${ds.reason}` });
    }
  }
  return out;
}

function verdictOf(decision: string | undefined): 'allowed' | 'denied' {
  return decision === 'allowed' ? 'allowed' : 'denied';
}
