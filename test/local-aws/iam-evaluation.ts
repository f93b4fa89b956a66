/**
 * IAM evaluation for the local AWS: is an action on a resource ARN allowed for an identity, given
 * its identity policy documents (as a synthesized and resolved CloudFormation template holds them)
 * and, for a session, the session policy passed to sts:AssumeRole (`Policy`)?
 *
 * The rules are those of AWS for a request inside one account with no resource policy, permissions
 * boundary or SCP (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
 * an explicit Deny in any policy wins; otherwise the request is allowed only if an identity
 * statement allows it and, when there is a session policy, a session statement allows it too.
 *
 * Supported: Action/NotAction (case-insensitive, `*` and `?`), Resource/NotResource (case-sensitive,
 * `*` and `?`), and the condition operators StringEquals, StringNotEquals, StringEqualsIgnoreCase,
 * StringNotEqualsIgnoreCase, StringLike, StringNotLike and Bool, each also as `...IfExists` and with
 * the `ForAnyValue:`/`ForAllValues:` set qualifiers. Context keys (`sts:AWSServiceName`,
 * `aws:PrincipalTag/...`) are passed in by the caller; key names are case-insensitive, values not.
 * Anything else (another operator, a policy variable such as `${aws:username}`, a Principal element)
 * throws instead of guessing: a test must never pass because its evaluator misread a policy.
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

const STRING_OPERATORS: Record<string, (actual: string, expected: string) => boolean> = {
  StringEquals: (a, e) => a === e,
  StringEqualsIgnoreCase: (a, e) => a.toLowerCase() === e.toLowerCase(),
  StringLike: (a, e) => wildcardRegExp(e, '').test(a),
  Bool: (a, e) => a.toLowerCase() === e.toLowerCase(),
};
const NEGATED: Record<string, string> = {
  StringNotEquals: 'StringEquals',
  StringNotEqualsIgnoreCase: 'StringEqualsIgnoreCase',
  StringNotLike: 'StringLike',
};

function conditionHolds(operatorName: string, actual: string[] | undefined, expected: string[]): boolean {
  const qualified = /^(ForAnyValue:|ForAllValues:)?(.+?)(IfExists)?$/.exec(operatorName)!;
  const [, qualifier, base, ifExists] = qualified;
  const negatedOf = NEGATED[base];
  const test = STRING_OPERATORS[negatedOf ?? base];
  if (!test) throw new Error(`condition operator ${operatorName} is not supported by this evaluator`);
  if (expected.some((v) => v.includes('${'))) throw new Error(`policy variables are not supported: ${expected.join(', ')}`);
  const one = (value: string) => expected.some((e) => test(value, e));
  if (actual === undefined || actual.length === 0) {
    // A missing key: ForAllValues holds vacuously, IfExists holds, a negated operator holds, others fail.
    return qualifier === 'ForAllValues:' || ifExists !== undefined || negatedOf !== undefined;
  }
  if (qualifier === 'ForAllValues:') return actual.every((v) => negatedOf ? !one(v) : one(v));
  if (negatedOf) return !actual.some(one);
  return actual.some(one);
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
