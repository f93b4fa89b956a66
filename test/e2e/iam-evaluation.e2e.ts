/**
 * The local IAM evaluator (test/local-aws/iam-evaluation.ts) on its own: each rule it applies, with
 * a case that holds and one that fails, so that an e2e never passes because its evaluator misread a
 * policy. The rules are those of the IAM User Guide ("Policy evaluation logic"; "IAM JSON policy
 * elements: Condition operators"; "Set operators for multivalued context keys").
 */
import { ARN, DOMAIN, ISSUER, OWNER, REGION, repositoryArn, V } from './issuer-fixture';
import { ConditionBlock, evaluate, evaluateTrust, PolicyDocument, PolicyStatement } from '../local-aws/iam-evaluation';


/** Whether one condition block allows sts:GetServiceBearerToken for a request context. */
function holds(condition: ConditionBlock, context: Record<string, string | string[]> = {}): boolean {
  return evaluate({
    action: 'sts:GetServiceBearerToken',
    resource: '*',
    identityPolicies: [{ Version: V, Statement: [{ Effect: 'Allow', Action: 'sts:GetServiceBearerToken', Resource: '*', Condition: condition }] }],
    context,
  }).allowed;
}

describe('iam-evaluation', () => {
  const repo = repositoryArn('x');
  const allowRead: PolicyDocument = { Version: V, Statement: [{ Effect: 'Allow', Action: 'codeartifact:ReadFromRepository', Resource: repo }] };

  test('allows what an identity statement allows, with a reason naming action and resource', () => {
    expect(evaluate({ action: 'codeartifact:ReadFromRepository', resource: repo, identityPolicies: [allowRead] })).toEqual({
      allowed: true, reason: `allowed: identity statement #0 allows codeartifact:ReadFromRepository on ${repo}`,
    });
  });

  test('denies implicitly what no statement allows', () => {
    expect(evaluate({ action: 'codeartifact:ReadFromRepository', resource: repositoryArn('y'), identityPolicies: [allowRead] })).toEqual({
      allowed: false,
      explicit: false,
      reason: `implicitly denied: no identity statement allows codeartifact:ReadFromRepository on ${repositoryArn('y')}`,
    });
    expect(evaluate({ action: 'codeartifact:PublishPackageVersion', resource: repo, identityPolicies: [allowRead] }).allowed).toBe(false);
    expect(evaluate({ action: 'codeartifact:ReadFromRepository', resource: repo, identityPolicies: [] }).allowed).toBe(false);
  });

  test('an explicit Deny wins over any Allow, in the identity or the session policy', () => {
    const pkg = `${ARN}:package/${DOMAIN}/mirror/npm//left-pad`;
    const d = evaluate({ action: 'codeartifact:PublishPackageVersion', resource: pkg, identityPolicies: [ISSUER] });
    expect(d).toEqual({ allowed: false, explicit: true, reason: `explicitly denied: identity statement "NeverIntoMirror" (#2) denies codeartifact:PublishPackageVersion on ${pkg}` });
    const denyAll: PolicyDocument = { Version: V, Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'codeartifact:*', Resource: '*' }] };
    expect(evaluate({ action: 'codeartifact:ReadFromRepository', resource: repo, identityPolicies: [ISSUER], sessionPolicy: denyAll })).toMatchObject({
      allowed: false, explicit: true, reason: expect.stringMatching(/^explicitly denied: session statement #1 denies/),
    });
  });

  test('a session policy intersects with the identity policies', () => {
    const publishPkg = `${ARN}:package/${DOMAIN}/x/npm//left-pad`;
    const readOnlySession: PolicyDocument = { Version: V, Statement: { Effect: 'Allow', Action: 'codeartifact:Read*', Resource: '*' } };
    expect(evaluate({ action: 'codeartifact:ReadFromRepository', resource: repo, identityPolicies: [ISSUER], sessionPolicy: readOnlySession }).allowed).toBe(true);
    expect(evaluate({ action: 'codeartifact:PublishPackageVersion', resource: publishPkg, identityPolicies: [ISSUER], sessionPolicy: readOnlySession })).toMatchObject({
      allowed: false, explicit: false, reason: `implicitly denied: no session statement allows codeartifact:PublishPackageVersion on ${publishPkg}`,
    });
    // The session policy cannot grant what the identity lacks.
    const wide: PolicyDocument = { Version: V, Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    expect(evaluate({ action: 'codeartifact:DeleteRepository', resource: repo, identityPolicies: [ISSUER], sessionPolicy: wide })).toMatchObject({
      allowed: false, reason: expect.stringMatching(/^implicitly denied: no identity statement allows codeartifact:DeleteRepository/),
    });
  });

  test('wildcards: * and ? in resources (case-sensitive), actions case-insensitive, NotAction and NotResource', () => {
    const scoped = `${ARN}:package/${DOMAIN}/x/npm/acme/util`;
    const policy = (s: PolicyStatement): PolicyDocument => ({ Version: V, Statement: [s] });
    const allowed = (s: PolicyStatement, action: string, resource: string) => evaluate({ action, resource, identityPolicies: [policy(s)] }).allowed;
    expect(allowed({ Effect: 'Allow', Action: 'CodeArtifact:publish*', Resource: `${ARN}:package/${DOMAIN}/x/*` }, 'codeartifact:PublishPackageVersion', scoped)).toBe(true);
    expect(allowed({ Effect: 'Allow', Action: 'codeartifact:Publish*', Resource: `${ARN}:package/${DOMAIN}/X/*` }, 'codeartifact:PublishPackageVersion', scoped)).toBe(false);
    expect(allowed({ Effect: 'Allow', Action: 'codeartifact:*', Resource: `${ARN}:repository/${DOMAIN}/?` }, 'codeartifact:ReadFromRepository', repo)).toBe(true);
    expect(allowed({ Effect: 'Allow', Action: 'codeartifact:*', Resource: `${ARN}:repository/${DOMAIN}/?` }, 'codeartifact:ReadFromRepository', repositoryArn('xy'))).toBe(false);
    expect(allowed({ Effect: 'Allow', Action: 'codeartifact:*', Resource: `${ARN}:package/${DOMAIN}/x/npm//*` }, 'codeartifact:PublishPackageVersion', scoped)).toBe(false);
    expect(allowed({ Effect: 'Allow', NotAction: 'codeartifact:Publish*', Resource: '*' }, 'codeartifact:ReadFromRepository', repo)).toBe(true);
    expect(allowed({ Effect: 'Allow', NotAction: 'codeartifact:Publish*', Resource: '*' }, 'codeartifact:PublishPackageVersion', scoped)).toBe(false);
    expect(allowed({ Effect: 'Allow', Action: '*', NotResource: `${ARN}:repository/${DOMAIN}/x` }, 'codeartifact:ReadFromRepository', repo)).toBe(false);
  });

  test('conditions: StringEquals on sts:AWSServiceName, StringLike, IfExists; unknown operators throw', () => {
    const bearer: PolicyDocument = {
      Version: V,
      Statement: [{ Effect: 'Allow', Action: 'sts:GetServiceBearerToken', Resource: '*', Condition: { StringEquals: { 'sts:AWSServiceName': 'codeartifact.amazonaws.com' } } }],
    };
    const ask = (context?: Record<string, string>) => evaluate({ action: 'sts:GetServiceBearerToken', resource: '*', identityPolicies: [bearer], context }).allowed;
    expect(ask({ 'sts:AWSServiceName': 'codeartifact.amazonaws.com' })).toBe(true);
    expect(ask({ 'sts:awsservicename': 'codeartifact.amazonaws.com' })).toBe(true);
    expect(ask({ 'sts:AWSServiceName': 'CodeArtifact.amazonaws.com' })).toBe(false);
    expect(ask({ 'sts:AWSServiceName': 'ecr.amazonaws.com' })).toBe(false);
    expect(ask()).toBe(false);
    const tagged = (operator: string, value: string, context: Record<string, string | string[]>) => evaluate({
      action: 'codeartifact:ReadFromRepository',
      resource: repo,
      context,
      identityPolicies: [{ Version: V, Statement: [{ Effect: 'Allow', Action: 'codeartifact:*', Resource: '*', Condition: { [operator]: { 'aws:PrincipalTag/team': value } } }] }],
    }).allowed;
    expect(tagged('StringLike', 'build-*', { 'aws:PrincipalTag/team': 'build-eu' })).toBe(true);
    expect(tagged('StringLike', 'build-*', { 'aws:PrincipalTag/team': 'ops' })).toBe(false);
    expect(tagged('StringNotEquals', 'ops', {})).toBe(true);
    expect(tagged('StringEqualsIfExists', 'ops', {})).toBe(true);
    expect(tagged('StringEquals', 'ops', {})).toBe(false);
    expect(tagged('ForAllValues:StringEquals', 'ops', { 'aws:PrincipalTag/team': ['ops', 'dev'] })).toBe(false);
    expect(tagged('ForAnyValue:StringEquals', 'ops', { 'aws:PrincipalTag/team': ['ops', 'dev'] })).toBe(true);
    expect(() => tagged('NumericLessThan', '3', {})).toThrow(/NumericLessThan is not supported/);
    expect(() => evaluate({ action: 'codeartifact:ReadFromRepository', resource: repo, identityPolicies: [{ Statement: [{ Effect: 'Allow', Action: '*', Resource: '${aws:username}' }] }] }))
      .toThrow(/policy variables/);
  });
});


describe('ARN condition operators', () => {
  const handlerRole = `arn:aws:iam::${OWNER}:role/Stack-HandlerRole-ABC`;
  const fn = `arn:aws:lambda:${REGION}:${OWNER}:function:Stack-Handler-XYZ`;

  test('ArnEquals and ArnLike: exact or wildcard per component, case-sensitive', () => {
    // GIVEN a condition on aws:PrincipalArn; WHEN the request's ARN is equal, differs, or differs in case; THEN
    expect(holds({ ArnEquals: { 'aws:PrincipalArn': handlerRole } }, { 'aws:PrincipalArn': handlerRole })).toBe(true);
    expect(holds({ ArnEquals: { 'aws:PrincipalArn': handlerRole } }, { 'aws:PrincipalArn': `${handlerRole}2` })).toBe(false);
    expect(holds({ ArnEquals: { 'aws:PrincipalArn': handlerRole } }, { 'aws:PrincipalArn': handlerRole.toLowerCase() })).toBe(false);
    expect(holds({ ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${OWNER}:role/Stack-*` } }, { 'aws:PrincipalArn': handlerRole })).toBe(true);
    expect(holds({ ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${OWNER}:role/Other-*` } }, { 'aws:PrincipalArn': handlerRole })).toBe(false);
    // ArnEquals takes wildcards too ("ArnEquals, ArnLike: ... each can include ... wildcards")
    expect(holds({ ArnEquals: { 'lambda:SourceFunctionArn': `arn:aws:lambda:*:${OWNER}:function:Stack-*` } }, { 'lambda:SourceFunctionArn': fn })).toBe(true);
    // several values: any of them
    expect(holds({ ArnEquals: { 'aws:PrincipalArn': ['arn:aws:iam::111122223333:role/a', handlerRole] } }, { 'aws:PrincipalArn': handlerRole })).toBe(true);
  });

  test('a wildcard does not cross a component: * in the region does not swallow the account', () => {
    // GIVEN a pattern whose region component is * and whose account is another
    const pattern = 'arn:aws:lambda:*:999999999999:function:Stack-Handler-XYZ';
    // WHEN matched against a function of another account; THEN no match, although a plain wildcard over the whole string would
    expect(holds({ ArnLike: { 'lambda:SourceFunctionArn': pattern } }, { 'lambda:SourceFunctionArn': fn })).toBe(false);
    expect(holds({ ArnLike: { 'lambda:SourceFunctionArn': 'arn:aws:lambda:*:function:Stack-Handler-XYZ' } }, { 'lambda:SourceFunctionArn': fn })).toBe(false);
    // AND a value that is no ARN matches nothing
    expect(holds({ ArnLike: { 'aws:PrincipalArn': 'arn:*:*:*:*:*' } }, { 'aws:PrincipalArn': 'not-an-arn' })).toBe(false);
    expect(() => holds({ ArnLike: { 'aws:PrincipalArn': '*' } }, { 'aws:PrincipalArn': handlerRole })).toThrow(/not an ARN pattern/);
    // the resource component keeps its own colons and slashes
    expect(holds({ ArnLike: { 'aws:SourceArn': 'arn:aws:scheduler:eu-west-1:111122223333:schedule-group/*' } },
      { 'aws:SourceArn': 'arn:aws:scheduler:eu-west-1:111122223333:schedule-group/stack-group' })).toBe(true);
  });

  test('ArnNotEquals and ArnNotLike: true when no value matches, and when the key is missing', () => {
    expect(holds({ ArnNotEquals: { 'aws:PrincipalArn': handlerRole } }, { 'aws:PrincipalArn': handlerRole })).toBe(false);
    expect(holds({ ArnNotEquals: { 'aws:PrincipalArn': handlerRole } }, { 'aws:PrincipalArn': `${handlerRole}2` })).toBe(true);
    expect(holds({ ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/Stack-*' } }, { 'aws:PrincipalArn': handlerRole })).toBe(false);
    expect(holds({ ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/Other-*' } }, { 'aws:PrincipalArn': handlerRole })).toBe(true);
    // "If the policy condition requires that the key is not matched, such as ArnNotLike, and the right key is not present, the condition is true"
    expect(holds({ ArnNotLike: { 'lambda:SourceFunctionArn': fn } })).toBe(true);
  });

  test('a missing key fails ArnEquals unless IfExists; IfExists still checks a present key', () => {
    // The case that matters: code running as the handler role outside the function has no lambda:SourceFunctionArn
    expect(holds({ ArnEquals: { 'lambda:SourceFunctionArn': fn } })).toBe(false);
    expect(holds({ ArnEqualsIfExists: { 'lambda:SourceFunctionArn': fn } })).toBe(true);
    expect(holds({ ArnEqualsIfExists: { 'lambda:SourceFunctionArn': fn } }, { 'lambda:SourceFunctionArn': `${fn}-other` })).toBe(false);
    expect(holds({ ArnLikeIfExists: { 'lambda:SourceFunctionArn': fn } }, { 'lambda:SourceFunctionArn': fn })).toBe(true);
    expect(holds({ ArnNotEqualsIfExists: { 'lambda:SourceFunctionArn': fn } }, { 'lambda:SourceFunctionArn': fn })).toBe(false);
  });

  test('set qualifiers over a multivalued key', () => {
    const arns = [handlerRole, fn];
    expect(holds({ 'ForAnyValue:ArnEquals': { 'aws:SourceArns': fn } }, { 'aws:SourceArns': arns })).toBe(true);
    expect(holds({ 'ForAllValues:ArnEquals': { 'aws:SourceArns': fn } }, { 'aws:SourceArns': arns })).toBe(false);
    expect(holds({ 'ForAllValues:ArnLike': { 'aws:SourceArns': [`arn:aws:iam::${OWNER}:role/*`, `arn:aws:lambda:*:${OWNER}:function:*`] } }, { 'aws:SourceArns': arns })).toBe(true);
    expect(holds({ 'ForAnyValue:ArnNotEquals': { 'aws:SourceArns': fn } }, { 'aws:SourceArns': arns })).toBe(true);
    expect(holds({ 'ForAllValues:ArnNotEquals': { 'aws:SourceArns': fn } }, { 'aws:SourceArns': arns })).toBe(false);
  });
});

describe('Null', () => {
  test('"true" holds when the key is absent, "false" when it is present', () => {
    expect(holds({ Null: { 'aws:TokenIssueTime': 'true' } })).toBe(true);
    expect(holds({ Null: { 'aws:TokenIssueTime': 'true' } }, { 'aws:TokenIssueTime': '2026-12-03T10:00:00Z' })).toBe(false);
    expect(holds({ Null: { 'aws:TokenIssueTime': 'false' } }, { 'aws:TokenIssueTime': '2026-12-03T10:00:00Z' })).toBe(true);
    expect(holds({ Null: { 'aws:TokenIssueTime': 'false' } })).toBe(false);
    // a boolean in the policy, as CloudFormation may hold it
    expect(holds({ Null: { 'aws:PrincipalTag/team': true } })).toBe(true);
    // an empty multivalued key counts as absent
    expect(holds({ Null: { 'aws:TagKeys': 'true' } }, { 'aws:TagKeys': [] })).toBe(true);
  });

  test('IfExists on Null (which IAM forbids), a set qualifier, or a value other than true/false throws', () => {
    expect(() => holds({ NullIfExists: { 'aws:TokenIssueTime': 'true' } })).toThrow(/IfExists on Null/);
    expect(() => holds({ 'ForAllValues:Null': { 'aws:TagKeys': 'true' } })).toThrow(/ForAllValues:Null is not supported/);
    expect(() => holds({ Null: { 'aws:TokenIssueTime': 'yes' } })).toThrow(/Null takes "true" or "false"/);
  });
});

describe('Date condition operators', () => {
  const issued = '2026-12-03T10:00:00Z';
  const at = (when: string) => ({ 'aws:TokenIssueTime': when });

  test('DateLessThan and DateLessThanEquals: strictly before, or at', () => {
    // GIVEN a deny cut-off at 10:00; WHEN the token was issued a second before, at, or after; THEN
    expect(holds({ DateLessThan: { 'aws:TokenIssueTime': issued } }, at('2026-12-03T09:59:59Z'))).toBe(true);
    expect(holds({ DateLessThan: { 'aws:TokenIssueTime': issued } }, at(issued))).toBe(false);
    expect(holds({ DateLessThanEquals: { 'aws:TokenIssueTime': issued } }, at(issued))).toBe(true);
    expect(holds({ DateLessThanEquals: { 'aws:TokenIssueTime': issued } }, at('2026-12-03T10:00:00.001Z'))).toBe(false);
  });

  test('DateGreaterThan and DateGreaterThanEquals: strictly after, or at', () => {
    expect(holds({ DateGreaterThan: { 'aws:TokenIssueTime': issued } }, at('2026-12-03T10:00:01Z'))).toBe(true);
    expect(holds({ DateGreaterThan: { 'aws:TokenIssueTime': issued } }, at(issued))).toBe(false);
    expect(holds({ DateGreaterThanEquals: { 'aws:TokenIssueTime': issued } }, at(issued))).toBe(true);
    expect(holds({ DateGreaterThanEquals: { 'aws:TokenIssueTime': issued } }, at('2026-12-03T09:00:00Z'))).toBe(false);
  });

  test('dates compare as instants: another offset, epoch seconds in the policy; DateEquals and DateNotEquals', () => {
    expect(holds({ DateLessThan: { 'aws:TokenIssueTime': '2026-12-03T11:00:00+01:00' } }, at('2026-12-03T09:59:59Z'))).toBe(true);
    const epoch = String(Date.parse(issued) / 1000);
    expect(holds({ DateLessThan: { 'aws:TokenIssueTime': epoch } }, at('2026-12-03T09:59:59Z'))).toBe(true);
    expect(holds({ DateLessThan: { 'aws:TokenIssueTime': epoch } }, at('2026-12-03T10:00:01Z'))).toBe(false);
    expect(holds({ DateEquals: { 'aws:TokenIssueTime': epoch } }, at(issued))).toBe(true);
    expect(holds({ DateNotEquals: { 'aws:TokenIssueTime': epoch } }, at(issued))).toBe(false);
  });

  test('a missing key fails unless IfExists; an unreadable request date matches nothing; an unreadable policy date throws', () => {
    // Long-term credentials carry no aws:TokenIssueTime
    expect(holds({ DateLessThan: { 'aws:TokenIssueTime': issued } })).toBe(false);
    expect(holds({ DateLessThanIfExists: { 'aws:TokenIssueTime': issued } })).toBe(true);
    expect(holds({ DateGreaterThanIfExists: { 'aws:TokenIssueTime': issued } }, at('2026-12-03T09:00:00Z'))).toBe(false);
    expect(holds({ DateLessThan: { 'aws:TokenIssueTime': issued } }, at('yesterday'))).toBe(false);
    expect(() => holds({ DateLessThan: { 'aws:TokenIssueTime': 'soon' } }, at(issued))).toThrow(/not a date: "soon"/);
    expect(() => holds({ DateLessThan: { 'aws:TokenIssueTime': 'soon' } })).toThrow(/not a date/);
  });

  test('set qualifiers', () => {
    const times = { 'aws:Times': ['2026-12-03T09:00:00Z', '2026-12-03T11:00:00Z'] };
    expect(holds({ 'ForAnyValue:DateLessThan': { 'aws:Times': issued } }, times)).toBe(true);
    expect(holds({ 'ForAllValues:DateLessThan': { 'aws:Times': issued } }, times)).toBe(false);
    expect(holds({ 'ForAllValues:DateGreaterThan': { 'aws:Times': '2026-12-03T08:00:00Z' } }, times)).toBe(true);
  });

  test('a deny on the issue time stops an older session and keeps a newer one (what a revocation statement does)', () => {
    // GIVEN the role allows reads, and denies everything to sessions issued before 10:00
    const policy: PolicyDocument = {
      Version: V,
      Statement: [
        { Effect: 'Allow', Action: 'codeartifact:ReadFromRepository', Resource: '*' },
        { Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': issued } } },
      ],
    };
    const read = (context: Record<string, string>) => evaluate({ action: 'codeartifact:ReadFromRepository', resource: repositoryArn('x'), identityPolicies: [policy], context });
    // THEN
    expect(read(at('2026-12-03T09:30:00Z'))).toMatchObject({ allowed: false, explicit: true, reason: expect.stringMatching(/^explicitly denied: identity statement #1/) });
    expect(read(at('2026-12-03T10:30:00Z')).allowed).toBe(true);
  });
});

describe('set qualifiers with a missing key, and the other operators', () => {
  test('ForAllValues holds vacuously, ForAnyValue fails, also negated; IfExists holds', () => {
    // "ForAnyValue ... If the context key in the request resolves to an empty data set ... the result is false"
    expect(holds({ 'ForAllValues:StringEquals': { 'aws:TagKeys': 'a' } })).toBe(true);
    expect(holds({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'a' } })).toBe(false);
    expect(holds({ 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': 'a' } })).toBe(false);
    expect(holds({ 'ForAnyValue:StringEqualsIfExists': { 'aws:TagKeys': 'a' } })).toBe(true);
  });

  test('ForAllValues:StringEquals on aws:TagKeys: only the allowed keys may be passed', () => {
    const only = { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['cdk-codeartifact-token:token', 'cdk-codeartifact-token:repositories'] } };
    expect(holds(only, { 'aws:TagKeys': ['cdk-codeartifact-token:token', 'cdk-codeartifact-token:repositories'] })).toBe(true);
    expect(holds(only, { 'aws:TagKeys': ['cdk-codeartifact-token:token'] })).toBe(true);
    expect(holds(only, { 'aws:TagKeys': ['cdk-codeartifact-token:token', 'team'] })).toBe(false);
  });

  test('ForAnyValue with a negated operator: some value matches none', () => {
    expect(holds({ 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': 'a' } }, { 'aws:TagKeys': ['a', 'b'] })).toBe(true);
    expect(holds({ 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['a', 'b'] } }, { 'aws:TagKeys': ['a', 'b'] })).toBe(false);
  });

  test('operators this evaluator does not know throw, with or without qualifiers', () => {
    for (const op of ['NumericLessThan', 'IpAddress', 'BinaryEquals', 'ForAnyValue:NumericEquals', 'ArnEqualz']) {
      expect(() => holds({ [op]: { 'aws:SourceIp': '1' } })).toThrow(new RegExp(`${op} is not supported`));
    }
  });
});

describe('trust policies (evaluateTrust)', () => {
  const account = `arn:aws:iam::${OWNER}:root`;
  const handlerRole = `arn:aws:iam::${OWNER}:role/HandlerRole`;
  const issuerRole = `arn:aws:iam::${OWNER}:role/IssuerRole`;
  const trust = (...Statement: any[]): PolicyDocument => ({ Version: V, Statement });
  const ask = (policy: PolicyDocument, action: string, context: Record<string, string | string[]> = {}, principalArn = handlerRole) =>
    evaluateTrust({ trustPolicy: policy, principalArn, action, resource: issuerRole, context: { 'aws:PrincipalArn': principalArn, ...context } });

  test('a statement naming the caller\'s role lets it in alone; one naming the account delegates to its identity policy', () => {
    expect(ask(trust({ Effect: 'Allow', Principal: { AWS: handlerRole }, Action: 'sts:AssumeRole' }), 'sts:AssumeRole')).toMatchObject({ allowed: true, byAccount: false });
    expect(ask(trust({ Effect: 'Allow', Principal: { AWS: account }, Action: 'sts:AssumeRole' }), 'sts:AssumeRole')).toMatchObject({ allowed: true, byAccount: true });
    expect(ask(trust({ Effect: 'Allow', Principal: { AWS: OWNER }, Action: 'sts:AssumeRole' }), 'sts:AssumeRole')).toMatchObject({ allowed: true, byAccount: true });
    // another role, another account, a service principal: not the caller
    expect(ask(trust({ Effect: 'Allow', Principal: { AWS: `${handlerRole}2` }, Action: 'sts:AssumeRole' }), 'sts:AssumeRole').allowed).toBe(false);
    expect(ask(trust({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999999999999:root' }, Action: 'sts:AssumeRole' }), 'sts:AssumeRole').allowed).toBe(false);
    expect(ask(trust({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }), 'sts:AssumeRole')).toEqual({
      allowed: false, explicit: false, reason: `implicitly denied: no trust statement allows ${handlerRole} sts:AssumeRole on ${issuerRole}`,
    });
  });

  test('conditions decide: aws:PrincipalArn, aws:TagKeys and aws:RequestTag for sts:TagSession', () => {
    // GIVEN the trust policy of the contract: the account, conditioned on the handler role's ARN and the tag keys
    const policy = trust(
      { Effect: 'Allow', Principal: { AWS: account }, Action: 'sts:AssumeRole', Condition: { ArnEquals: { 'aws:PrincipalArn': handlerRole } } },
      {
        Effect: 'Allow',
        Principal: { AWS: account },
        Action: 'sts:TagSession',
        Condition: { 'ArnEquals': { 'aws:PrincipalArn': handlerRole }, 'ForAllValues:StringEquals': { 'aws:TagKeys': ['k1', 'k2'] } },
      },
    );
    // THEN the handler role may assume and tag with k1/k2; another role of the account may not
    expect(ask(policy, 'sts:AssumeRole').allowed).toBe(true);
    expect(ask(policy, 'sts:TagSession', { 'aws:TagKeys': ['k1', 'k2'] }).allowed).toBe(true);
    expect(ask(policy, 'sts:TagSession', { 'aws:TagKeys': ['k1', 'team'] }).allowed).toBe(false);
    expect(ask(policy, 'sts:AssumeRole', {}, `arn:aws:iam::${OWNER}:role/Intruder`).allowed).toBe(false);
    // AND a condition on a requested tag's value
    const valued = trust({ Effect: 'Allow', Principal: { AWS: handlerRole }, Action: 'sts:TagSession', Condition: { StringLike: { 'aws:RequestTag/k1': 'abc *' } } });
    expect(ask(valued, 'sts:TagSession', { 'aws:RequestTag/k1': 'abc 1' }).allowed).toBe(true);
    expect(ask(valued, 'sts:TagSession', { 'aws:RequestTag/k1': 'xyz 1' }).allowed).toBe(false);
  });

  test('an explicit Deny in the trust policy wins; a statement for another action does not apply', () => {
    const policy = trust(
      { Effect: 'Allow', Principal: { AWS: handlerRole }, Action: ['sts:AssumeRole', 'sts:TagSession'] },
      { Sid: 'NoTags', Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sts:TagSession' },
    );
    expect(ask(policy, 'sts:AssumeRole').allowed).toBe(true);
    expect(ask(policy, 'sts:TagSession')).toEqual({ allowed: false, explicit: true, reason: `explicitly denied: trust statement "NoTags" (#1) denies sts:TagSession on ${issuerRole}` });
  });

  test('NotPrincipal, a statement without Principal, or a caller that is no role throw', () => {
    expect(() => ask(trust({ Effect: 'Allow', NotPrincipal: { AWS: handlerRole }, Action: 'sts:AssumeRole' }), 'sts:AssumeRole')).toThrow(/NotPrincipal/);
    expect(() => ask(trust({ Effect: 'Allow', Action: 'sts:AssumeRole' }), 'sts:AssumeRole')).toThrow(/needs a Principal/);
    expect(() => ask(trust({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }), 'sts:AssumeRole', {}, 'arn:aws:iam::1:user/x')).toThrow(/not a role ARN/);
  });
});
