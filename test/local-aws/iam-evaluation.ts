/**
 * IAM evaluation for the local AWS: is an action on a resource ARN allowed for an identity, given
 * its identity policy documents (as a synthesized and resolved CloudFormation template holds them)
 * and, for a session, the session policy passed to sts:AssumeRole (`Policy`)? And, for
 * sts:AssumeRole and sts:TagSession, does a role's trust policy let a caller in (`evaluateTrust`)?
 *
 * The rules are those of AWS for a request inside one account with no permissions boundary or SCP
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
 * an explicit Deny in any policy wins; otherwise the request is allowed only if an identity
 * statement allows it and, when there is a session policy, a session statement allows it too. A
 * trust policy is a resource policy: a statement naming the caller's role ARN lets it in alone; one
 * naming only the account (`arn:aws:iam::ACCOUNT:root`) delegates to the account, so the caller's
 * identity policy must allow the action too (IAM User Guide, "Cross-account policy evaluation
 * logic" and "How IAM roles differ from resource-based policies").
 *
 * Supported: Action/NotAction (case-insensitive, `*` and `?`), Resource/NotResource (case-sensitive,
 * `*` and `?`), a trust statement's `Principal` (`*` or `AWS` role ARNs and account roots), and the
 * condition operators (IAM User Guide, "IAM JSON policy elements: Condition operators")
 * StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike,
 * StringNotLike, Bool, ArnEquals, ArnLike, ArnNotEquals, ArnNotLike, DateEquals, DateNotEquals,
 * DateLessThan, DateLessThanEquals, DateGreaterThan, DateGreaterThanEquals, each also as
 * `...IfExists` and with the `ForAnyValue:`/`ForAllValues:` set qualifiers, and Null (neither
 * IfExists, which IAM forbids, nor a set qualifier). Context keys (`sts:AWSServiceName`,
 * `aws:PrincipalTag/...`, `aws:TokenIssueTime`...) are passed in by the caller; key names are
 * case-insensitive, values not. Anything else (another operator, a policy variable such as
 * `${aws:username}`, a Principal element in an identity policy, NotPrincipal) throws instead of
 * guessing: a test must never pass because its evaluator misread a policy.
 *
 * Why not @cloud-copilot/iam-simulate 0.1.173: its validated `runSimulation` rejects
 * `package/DOMAIN/REPO/npm//NAME` ('no.resource.types'), the ARN that CodeArtifact documents for
 * every unscoped npm and PyPI package, and its `runUnsafeSimulation` silently drops the session policy
 * (a session policy denying `*` still yields Allowed). It is also AGPL-3.0 and 19 MB with its data.
 */

export type Effect = 'Allow' | 'Deny';
export type ConditionBlock = Record<string, Record<string, string | boolean | number | Array<string | boolean | number>>>;

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: Effect;
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: ConditionBlock;
}

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: PolicyStatement | readonly PolicyStatement[];
}

export interface EvaluationRequest {
  /** `service:Action`, e.g. `codeartifact:ReadFromRepository`. */
  readonly action: string;
  /** The resource ARN, or `*` for an action without resource-level permissions. */
  readonly resource: string;
  readonly identityPolicies: readonly PolicyDocument[];
  /** The session policy of an assumed-role session, if it has one. */
  readonly sessionPolicy?: PolicyDocument;
  /** Request context keys, e.g. `{ 'sts:AWSServiceName': 'codeartifact.amazonaws.com' }`. */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

export type Decision =
  | { readonly allowed: true; readonly reason: string }
  | { readonly allowed: false; readonly explicit: boolean; readonly reason: string };

/** Decides one request; the reason names the action, the resource and the deciding statement. */
export function evaluate(request: EvaluationRequest): Decision {
  const { action, resource } = request;
  if (!/^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/.test(action)) {
    throw new Error(`not an IAM action: ${JSON.stringify(action)}`);
  }
  const context = normalizeContext(request.context ?? {});
  const what = `${action} on ${resource}`;
  const policySets: Array<{ kind: string; docs: readonly PolicyDocument[] }> = [
    { kind: 'identity', docs: request.identityPolicies },
    ...(request.sessionPolicy ? [{ kind: 'session', docs: [request.sessionPolicy] }] : []),
  ];
  const matching = policySets.map(({ kind, docs }) => ({
    kind,
    statements: docs.flatMap((doc, i) => statementsOf(doc).map((s, j) => ({ s, label: labelOf(s, i, j, docs.length) })))
      .filter(({ s }) => statementApplies(s, action, resource, context)),
  }));
  for (const { kind, statements } of matching) {
    const deny = statements.find(({ s }) => s.Effect === 'Deny');
    if (deny) return { allowed: false, explicit: true, reason: `explicitly denied: ${kind} statement ${deny.label} denies ${what}` };
  }
  const allows: string[] = [];
  for (const { kind, statements } of matching) {
    const allow = statements.find(({ s }) => s.Effect === 'Allow');
    if (!allow) return { allowed: false, explicit: false, reason: `implicitly denied: no ${kind} statement allows ${what}` };
    allows.push(`${kind} statement ${allow.label}`);
  }
  return { allowed: true, reason: `allowed: ${allows.join(' and ')} allow${allows.length === 1 ? 's' : ''} ${what}` };
}

export interface TrustRequest {
  /** The role's trust policy (AssumeRolePolicyDocument), resolved. */
  readonly trustPolicy: PolicyDocument;
  /** The caller: an IAM role ARN (a session of the role is matched by its role's ARN). */
  readonly principalArn: string;
  /** `sts:AssumeRole` or `sts:TagSession`. */
  readonly action: string;
  /** The role being assumed. */
  readonly resource: string;
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

/**
 * A trust policy's decision for a caller in the same account. `byAccount`: the allowing statement
 * names only the account root, so the caller's identity policy must allow the action as well.
 */
export type TrustDecision = Decision & { readonly byAccount?: boolean };

export function evaluateTrust(request: TrustRequest): TrustDecision {
  const { principalArn, action, resource } = request;
  const account = /^arn:[^:]+:iam::(\d{12}):role\//.exec(principalArn)?.[1];
  if (!account) throw new Error(`not a role ARN: ${principalArn}`);
  const context = normalizeContext(request.context ?? {});
  const named = statementsOf(request.trustPolicy).map((s, i) => ({ s, label: labelOf(s, 0, i, 1), by: principalMatch(s, principalArn, account) }))
    .filter(({ s, by }) => by !== undefined && statementApplies(withoutPrincipal(s, resource), action, resource, context));
  const what = `${action} on ${resource}`;
  const deny = named.find(({ s }) => s.Effect === 'Deny');
  if (deny) return { allowed: false, explicit: true, reason: `explicitly denied: trust statement ${deny.label} denies ${what}` };
  const allows = named.filter(({ s }) => s.Effect === 'Allow');
  if (allows.length === 0) return { allowed: false, explicit: false, reason: `implicitly denied: no trust statement allows ${principalArn} ${what}` };
  const direct = allows.find(({ by }) => by === 'role');
  const chosen = direct ?? allows[0];
  return { allowed: true, byAccount: !direct, reason: `allowed: trust statement ${chosen.label} allows ${direct ? principalArn : `the account ${account}`} ${what}` };
}

/** Whether a trust statement names the caller: by its role ARN, by its account, or not at all. */
function principalMatch(s: PolicyStatement, principalArn: string, account: string): 'role' | 'account' | undefined {
  const raw = s as { Principal?: unknown; NotPrincipal?: unknown };
  if (raw.NotPrincipal !== undefined) throw new Error('NotPrincipal is not supported by this evaluator');
  if (raw.Principal === undefined) throw new Error('a trust policy statement needs a Principal');
  if (raw.Principal === '*') return 'role';
  const aws = (raw.Principal as { AWS?: string | string[] }).AWS;
  if (aws === undefined) return undefined; // Service or Federated principals: never an IAM role's request
  const names = toStrings(aws);
  if (names.includes(principalArn) || names.includes('*')) return 'role';
  if (names.includes(account) || names.includes(`arn:${principalArn.split(':')[1]}:iam::${account}:root`)) return 'account';
  return undefined;
}

/** A trust statement as an identity statement over the role itself: its Principal already matched. */
function withoutPrincipal(s: PolicyStatement, resource: string): PolicyStatement {
  const { Principal: _, ...rest } = s as PolicyStatement & { Principal?: unknown };
  return rest.Resource === undefined && rest.NotResource === undefined ? { ...rest, Resource: resource } : rest;
}

/** An IAM action pattern against an action: case-insensitive, `*` any run of characters, `?` one. */
export function actionMatches(pattern: string, action: string): boolean {
  return wildcardRegExp(pattern, 'i').test(action);
}

/** An IAM resource pattern against an ARN: case-sensitive, `*` any run of characters (also `:` and `/`), `?` one. */
export function resourceMatches(pattern: string, arn: string): boolean {
  if (pattern.includes('${')) throw new Error(`policy variables are not supported: ${pattern}`);
  return wildcardRegExp(pattern, '').test(arn);
}

/** Whether every condition of a statement holds for the context (all operators, all keys: AND). */
export function conditionsMatch(condition: ConditionBlock | undefined, context: Readonly<Record<string, string | readonly string[]>>): boolean {
  const ctx = normalizeContext(context);
  return Object.entries(condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => conditionHolds(operator, ctx.get(key.toLowerCase()), toStrings(expected))));
}

function statementApplies(s: PolicyStatement, action: string, resource: string, context: Map<string, string[]>): boolean {
  if ((s as { Principal?: unknown }).Principal !== undefined || (s as { NotPrincipal?: unknown }).NotPrincipal !== undefined) {
    throw new Error('a Principal element belongs to a resource or trust policy, not an identity or session policy');
  }
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw new Error(`Effect must be Allow or Deny, not ${JSON.stringify(s.Effect)}`);
  if ((s.Action === undefined) === (s.NotAction === undefined)) throw new Error('a statement needs exactly one of Action and NotAction');
  if ((s.Resource === undefined) === (s.NotResource === undefined)) throw new Error('a statement needs exactly one of Resource and NotResource');
  const actionOk = s.Action !== undefined
    ? toStrings(s.Action).some((p) => actionMatches(p, action))
    : !toStrings(s.NotAction!).some((p) => actionMatches(p, action));
  const resourceOk = s.Resource !== undefined
    ? toStrings(s.Resource).some((p) => resourceMatches(p, resource))
    : !toStrings(s.NotResource!).some((p) => resourceMatches(p, resource));
  return actionOk && resourceOk && Object.entries(s.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => conditionHolds(operator, context.get(key.toLowerCase()), toStrings(expected))));
}

/** A matching operator: does one request value match one policy value? */
type Match = (actual: string, expected: string) => boolean;

const MATCHING_OPERATORS: Record<string, Match> = {
  StringEquals: (a, e) => a === e,
  StringEqualsIgnoreCase: (a, e) => a.toLowerCase() === e.toLowerCase(),
  StringLike: (a, e) => wildcardRegExp(e, '').test(a),
  Bool: (a, e) => a.toLowerCase() === e.toLowerCase(),
  // "ArnEquals, ArnLike: case-sensitive matching of the ARN. Each of the six colon-delimited
  // components of the ARN is checked separately and each can include multi-character match
  // wildcards (*) or single-character match wildcards (?)." Both behave the same.
  ArnEquals: arnMatches,
  ArnLike: arnMatches,
  DateEquals: (a, e) => dateOf(a) === policyDate(e),
  DateLessThan: (a, e) => dateOf(a) < policyDate(e),
  DateLessThanEquals: (a, e) => dateOf(a) <= policyDate(e),
  DateGreaterThan: (a, e) => dateOf(a) > policyDate(e),
  DateGreaterThanEquals: (a, e) => dateOf(a) >= policyDate(e),
};
/** Negated operators, by the operator they negate. */
const NEGATED: Record<string, string> = {
  StringNotEquals: 'StringEquals',
  StringNotEqualsIgnoreCase: 'StringEqualsIgnoreCase',
  StringNotLike: 'StringLike',
  ArnNotEquals: 'ArnEquals',
  ArnNotLike: 'ArnLike',
  DateNotEquals: 'DateEquals',
};

/**
 * One operator over one key. The rules, from the IAM User Guide, "IAM JSON policy elements:
 * Condition operators" and "Set operators for multivalued context keys":
 * - a key missing from the request context fails the condition, except for a negated operator
 *   ("StringNotLike or ArnNotLike ... and the right key is not present, the condition is true"),
 *   an `...IfExists` operator, and `ForAllValues:` ("also returns true if there are no context keys
 *   in the request"); `ForAnyValue:` with no value is false;
 * - `Null` tests presence only ("true": the key is absent), and takes no `IfExists` ("You can add
 *   IfExists to the end of any condition operator name except the Null condition");
 * - several policy values for one key: any of them may match (OR).
 */
function conditionHolds(operatorName: string, actual: string[] | undefined, expected: string[]): boolean {
  const [, qualifier, base, ifExists] = /^(ForAnyValue:|ForAllValues:)?(.+?)(IfExists)?$/.exec(operatorName)!;
  if (expected.some((v) => v.includes('${'))) throw new Error(`policy variables are not supported: ${expected.join(', ')}`);
  const missing = actual === undefined || actual.length === 0;
  if (base === 'Null') {
    if (ifExists) throw new Error(`IAM does not allow IfExists on Null: ${operatorName}`);
    if (qualifier) throw new Error(`condition operator ${operatorName} is not supported by this evaluator`);
    if (expected.some((e) => e !== 'true' && e !== 'false')) throw new Error(`Null takes "true" or "false", not ${expected.join(', ')}`);
    return expected.includes(String(missing));
  }
  const negatedOf = NEGATED[base];
  const test = MATCHING_OPERATORS[negatedOf ?? base];
  if (!test) throw new Error(`condition operator ${operatorName} is not supported by this evaluator`);
  if (base.startsWith('Date')) expected.forEach(policyDate); // an unreadable policy date throws, whatever the request holds
  const one = (value: string) => expected.some((e) => test(value, e));
  const holdsFor = (value: string) => negatedOf ? !one(value) : one(value);
  if (missing) {
    if (ifExists) return true;
    if (qualifier === 'ForAllValues:') return true;
    if (qualifier === 'ForAnyValue:') return false;
    return negatedOf !== undefined;
  }
  if (qualifier === 'ForAllValues:') return actual.every(holdsFor);
  if (qualifier === 'ForAnyValue:') return actual.some(holdsFor);
  // A single-valued key (a multivalued one without a qualifier is matched as a whole set).
  return negatedOf ? !actual.some(one) : actual.some(one);
}

/** ARN against an ARN pattern, component by component: `*` and `?` never cross a `:` before the resource part. */
function arnMatches(actual: string, pattern: string): boolean {
  const a = arnParts(actual);
  const p = arnParts(pattern);
  if (!p) throw new Error(`not an ARN pattern: ${pattern}`);
  return a !== undefined && p.every((part, i) => wildcardRegExp(part, '').test(a[i]));
}

/** The six components of an ARN (the last, the resource, may itself hold colons). */
function arnParts(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6) return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/** A request date (ISO 8601, as aws:CurrentTime and aws:TokenIssueTime are) in epoch ms, NaN if unreadable (then nothing matches). */
function dateOf(value: string): number {
  return /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value);
}

/** A policy date: ISO 8601 or epoch seconds ("Date condition operators"); anything else is a policy error. */
function policyDate(value: string): number {
  const ms = dateOf(value);
  if (Number.isNaN(ms)) throw new Error(`not a date: ${JSON.stringify(value)}`);
  return ms;
}

function statementsOf(doc: PolicyDocument): readonly PolicyStatement[] {
  if (!doc || doc.Statement === undefined) throw new Error('a policy document needs a Statement');
  return Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement as PolicyStatement];
}

function labelOf(s: PolicyStatement, doc: number, index: number, docs: number): string {
  const where = docs > 1 ? `#${index} of policy #${doc}` : `#${index}`;
  return s.Sid ? `"${s.Sid}" (${where})` : where;
}

function toStrings(v: string | boolean | number | ReadonlyArray<string | boolean | number>): string[] {
  return (Array.isArray(v) ? v : [v]).map(String);
}

function normalizeContext(context: Readonly<Record<string, string | readonly string[]>> | Map<string, string[]>): Map<string, string[]> {
  if (context instanceof Map) return context;
  return new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), typeof v === 'string' ? [v] : [...v]]));
}

function wildcardRegExp(pattern: string, flags: string): RegExp {
  const body = pattern.split('').map((c) => c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')).join('');
  return new RegExp(`^${body}$`, `s${flags}`);
}
