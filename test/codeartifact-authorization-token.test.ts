import { createHash } from 'crypto';
import { CfnParameter, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CodeArtifactAuthorizationToken } from '../lib';
import { ACCOUNT, expectWithinIamQuotas, newStack, REGION, statementsFor } from './util';

/**
 * The secrets of the stack's region and account that carry CloudFormation's own tags, which no user
 * can set: this stack's id, and a logical id among the token secrets'.
 */
const ownTokenSecrets = (...logicalIds: string[]) => ({
  Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:secretsmanager:${REGION}:${ACCOUNT}:secret:*`]] },
  Condition: {
    StringEquals: {
      'aws:ResourceTag/aws:cloudformation:stack-id': { Ref: 'AWS::StackId' },
      'aws:ResourceTag/aws:cloudformation:logical-id': logicalIds,
    },
  },
});

/** A token's id, as the handler derives it from its secret's logical id. */
const tokenId = (logicalId: string) => createHash('sha256').update(logicalId).digest('hex').slice(0, 12);

const domainArn = (domain: string, owner = ACCOUNT, region = REGION) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:codeartifact:${region}:${owner}:domain/${domain}`]],
});

describe('CodeArtifactAuthorizationToken with defaults', () => {
  // GIVEN
  const stack = newStack();
  // WHEN
  const token = new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'my-domain' });
  const template = Template.fromStack(stack);

  test('creates a secret tagged with the configuration the rotation reads', () => {
    // THEN
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.hasResource('AWS::SecretsManager::Secret', {
      Properties: {
        Tags: [
          { Key: 'cdk-codeartifact-token:access', Value: 'read' },
          { Key: 'cdk-codeartifact-token:domain', Value: 'my-domain' },
          { Key: 'cdk-codeartifact-token:domain-owner', Value: ACCOUNT },
          { Key: 'cdk-codeartifact-token:domain-region', Value: REGION },
          { Key: 'cdk-codeartifact-token:duration-seconds', Value: '43200' },
          { Key: 'cdk-codeartifact-token:repositories', Value: ':all' },
          { Key: 'cdk-codeartifact-token:stack', Value: { Ref: 'AWS::StackId' } },
        ],
        KmsKeyId: Match.absent(),
        Name: Match.absent(),
      },
      DeletionPolicy: 'Delete',
    });
  });

  test('issues the first token at deploy time with a custom resource that carries no token', () => {
    template.hasResource('Custom::CodeArtifactAuthorizationToken', {
      Properties: {
        ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CodeArtifactTokenHandler'), 'Arn'] },
        ServiceTimeout: '300',
        SecretId: { Ref: Match.stringLikeRegexp('^TokenSecret') },
        Domain: 'my-domain',
        DomainOwner: ACCOUNT,
        DomainRegion: REGION,
        DurationSeconds: '43200',
        Repositories: ':all',
        Access: 'read',
      },
      // the issuer role, the handler's right to assume it, the handler's access to the secret and
      // the policies that grant the domain and bind the token exist before the first issue
      DependsOn: [
        Match.stringLikeRegexp('^CodeArtifactTokenHandlerHandlerPolicy1'),
        Match.stringLikeRegexp('^CodeArtifactTokenHandlerIssuerAccess'),
        Match.stringLikeRegexp('^CodeArtifactTokenHandlerIssuerRole[0-9A-F]{8}$'),
        Match.stringLikeRegexp('^CodeArtifactTokenHandlerTokenPolicyInline'),
      ],
    });
  });

  test('rotates every 5 hours within a 1-hour window, not again right after the deploy', () => {
    template.hasResource('AWS::SecretsManager::RotationSchedule', {
      Properties: {
        SecretId: { Ref: Match.stringLikeRegexp('^TokenSecret') },
        RotationLambdaARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CodeArtifactTokenHandler'), 'Arn'] },
        RotationRules: { ScheduleExpression: 'rate(5 hours)', Duration: '1h' },
        RotateImmediatelyOnUpdate: false,
      },
      DependsOn: [Match.stringLikeRegexp('InvokedBySecretsManager'), Match.stringLikeRegexp('^TokenIssueToken')],
    });
    expect(token.rotationInterval.toHours()).toBe(5);
  });

  test('runs one arm64 Node.js 24 Lambda with a retained log group and no managed AWS policy', () => {
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 120,
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('LogGroup') } },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  test('grants the issuer role GetAuthorizationToken on exactly the domain ARN, and reading its repositories', () => {
    const statements = statementsFor(template, 'codeartifact:GetAuthorizationToken');
    expect(statements).toEqual([{ Action: 'codeartifact:GetAuthorizationToken', Effect: 'Allow', Resource: domainArn('my-domain') }]);
    expect(stack.resolve(token.domainArn)).toEqual(domainArn('my-domain'));
    expect(statementsFor(template, 'codeartifact:ReadFromRepository')).toEqual([{
      Action: 'codeartifact:ReadFromRepository',
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:codeartifact:${REGION}:${ACCOUNT}:repository/my-domain/*`]] },
    }]);
    expect(statementsFor(template, 'codeartifact:PublishPackageVersion')).toEqual([]);
    // a few tokens' rights fit the issuer role's inline policy; managed ones follow as they grow
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('^CodeArtifactTokenHandlerTokenPolicyInline'),
      Roles: [{ Ref: Match.stringLikeRegexp('^CodeArtifactTokenHandlerIssuerRole') }],
    });
    template.resourcePropertiesCountIs('AWS::IAM::ManagedPolicy', { Roles: [{ Ref: Match.stringLikeRegexp('^CodeArtifactTokenHandlerIssuerRole') }] }, 0);
  });

  test('the handler\'s own role holds no CodeArtifact right: it may only assume the issuer role, from the handler function alone', () => {
    const roles = template.findResources('AWS::IAM::Role');
    const [handlerRoleId] = Object.entries(roles).find(([, r]: [string, any]) =>
      r.Properties.AssumeRolePolicyDocument.Statement[0].Principal.Service === 'lambda.amazonaws.com')!;
    const [issuerRoleId, issuer] = Object.entries(roles).find(([id]) => id.startsWith('CodeArtifactTokenHandlerIssuerRole'))! as [string, any];
    const [functionId] = Object.keys(template.findResources('AWS::Lambda::Function'));
    // the account is trusted with aws:PrincipalArn = the handler role, so that the handler role's own
    // statement (and its lambda:SourceFunctionArn condition) must allow too
    const root = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${ACCOUNT}:root`]] };
    const handlerOnly = { ArnEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [handlerRoleId, 'Arn'] } } };
    expect(issuer.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: root }, Condition: handlerOnly },
      {
        Action: 'sts:TagSession',
        Effect: 'Allow',
        Principal: { AWS: root },
        Condition: { ...handlerOnly, 'ForAllValues:StringEquals': { 'aws:TagKeys': ['cdk-codeartifact-token:token', 'cdk-codeartifact-token:repositories'] } },
      },
    ]);
    const handlerStatements = Object.values({ ...template.findResources('AWS::IAM::Policy'), ...template.findResources('AWS::IAM::ManagedPolicy') })
      .filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === handlerRoleId))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    expect(handlerStatements.filter((st: any) => [st.Action].flat().some((a: string) => !a.startsWith('logs:') && !a.startsWith('secretsmanager:')))).toEqual([{
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [issuerRoleId, 'Arn'] },
      Condition: { ArnEquals: { 'lambda:SourceFunctionArn': { 'Fn::GetAtt': [functionId, 'Arn'] } } },
    }]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { ISSUER_ROLE_ARN: { 'Fn::GetAtt': [issuerRoleId, 'Arn'] } } },
    });
    expect(stack.resolve(token.issuerRole.roleArn)).toEqual({ 'Fn::GetAtt': [issuerRoleId, 'Arn'] });
  });

  test('grants sts:GetServiceBearerToken only for CodeArtifact, and only to a session tagged with this token\'s id and template configuration', () => {
    const id = tokenId(stack.resolve((token.secret.node.defaultChild as any).logicalId));
    expect(statementsFor(template, 'sts:GetServiceBearerToken')).toEqual([{
      Action: 'sts:GetServiceBearerToken',
      Effect: 'Allow',
      Resource: '*',
      Condition: {
        StringEquals: {
          'sts:AWSServiceName': 'codeartifact.amazonaws.com',
          'aws:PrincipalTag/cdk-codeartifact-token:token': [`${id} 43200 read ${ACCOUNT} ${REGION} my-domain`],
          'aws:PrincipalTag/cdk-codeartifact-token:repositories': [`${id} :all`],
        },
      },
    }]);
  });

  test('grants Secrets Manager actions only on this stack\'s token secrets, by CloudFormation\'s own tags', () => {
    const statements = statementsFor(template, 'secretsmanager:PutSecretValue');
    expect(statements).toEqual([{
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
      Effect: 'Allow',
      ...ownTokenSecrets(stack.resolve((token.secret.node.defaultChild as any).logicalId)),
    }]);
    expect(statementsFor(template, 'secretsmanager:GetRandomPassword')).toEqual([]);
    expect(statementsFor(template, 'kms:Decrypt')).toEqual([]);
  });

  test('gives the handler its own stack\'s id, to check every secret it writes against', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { STACK_ID: { Ref: 'AWS::StackId' } } } });
  });

  test('starts the secret with a documented placeholder, valid JSON without a token, not a random password', () => {
    const [secret] = Object.values(template.findResources('AWS::SecretsManager::Secret')) as any[];
    expect(secret.Properties.GenerateSecretString).toBeUndefined();
    expect(JSON.parse(secret.Properties.SecretString)).toEqual({
      schemaVersion: 1, placeholder: true, message: 'No token yet: the stack writes the first one while it deploys.',
    });
  });

  test('lets only Secrets Manager of this account invoke the handler', () => {
    template.resourceCountIs('AWS::Lambda::Permission', 1);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'secretsmanager.amazonaws.com',
      SourceAccount: ACCOUNT,
    });
  });

  test('adds no resource policy to the secret', () => {
    template.resourceCountIs('AWS::SecretsManager::ResourcePolicy', 0);
  });
});

describe('CodeArtifactAuthorizationToken with every property set', () => {
  test('honours owner, region, duration, interval, name, key and removal policy', () => {
    // GIVEN
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    // WHEN
    new CodeArtifactAuthorizationToken(stack, 'Token', {
      domain: 'shared-domain',
      domainOwner: '444455556666',
      domainRegion: 'us-east-1',
      tokenDuration: Duration.hours(8),
      rotationInterval: Duration.hours(4),
      secretName: 'ci/codeartifact-token',
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResource('AWS::SecretsManager::Secret', {
      Properties: {
        Name: 'ci/codeartifact-token',
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
        Tags: [
          { Key: 'cdk-codeartifact-token:access', Value: 'read' },
          { Key: 'cdk-codeartifact-token:domain', Value: 'shared-domain' },
          { Key: 'cdk-codeartifact-token:domain-owner', Value: '444455556666' },
          { Key: 'cdk-codeartifact-token:domain-region', Value: 'us-east-1' },
          { Key: 'cdk-codeartifact-token:duration-seconds', Value: '28800' },
          { Key: 'cdk-codeartifact-token:repositories', Value: ':all' },
          { Key: 'cdk-codeartifact-token:stack', Value: { Ref: 'AWS::StackId' } },
        ],
      },
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('Custom::CodeArtifactAuthorizationToken', {
      DomainOwner: '444455556666', DomainRegion: 'us-east-1', DurationSeconds: '28800',
    });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: { ScheduleExpression: 'rate(4 hours)', Duration: '1h' },
    });
    expect(statementsFor(template, 'codeartifact:GetAuthorizationToken')[0].Resource)
      .toEqual(domainArn('shared-domain', '444455556666', 'us-east-1'));
  });

  test('lets the handler use a customer-managed key only through Secrets Manager', () => {
    // GIVEN
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    // WHEN
    new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'my-domain', encryptionKey: key });
    // THEN
    const kmsStatements = statementsFor(Template.fromStack(stack), 'kms:GenerateDataKey');
    expect(kmsStatements).toEqual([{
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] },
      Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com` } },
    }]);
  });

  test('works in an environment-agnostic stack, deferring the checks to the handler', () => {
    // GIVEN
    const stack = new Stack();
    // WHEN
    new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'my-domain' });
    // THEN
    Template.fromStack(stack).hasResourceProperties('Custom::CodeArtifactAuthorizationToken', {
      DomainOwner: { Ref: 'AWS::AccountId' },
      DomainRegion: { Ref: 'AWS::Region' },
    });
  });
});

describe('grants', () => {
  test('grantRead lets a CodeBuild project read (and decrypt) the secret, nothing more', () => {
    // GIVEN
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const token = new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'my-domain', encryptionKey: key });
    const project = new codebuild.Project(stack, 'Build', {
      buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2', phases: { build: { commands: ['true'] } } }),
    });
    // WHEN
    const grant = token.grantRead(project);
    // THEN
    expect(grant.success).toBe(true);
    const template = Template.fromStack(stack);
    const buildPolicy = Object.values(template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^BuildRole') }] },
    }))[0] as any;
    const statements = buildPolicy.Properties.PolicyDocument.Statement;
    expect(statements).toContainEqual({
      Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      Effect: 'Allow',
      Resource: { Ref: expect.stringMatching(/^TokenSecret/) },
    });
    // aws-cdk-lib puts the decrypt grant for a key of the same stack into the key policy
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([{
          Action: 'kms:Decrypt',
          Effect: 'Allow',
          Principal: { AWS: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BuildRole'), 'Arn'] } },
          Resource: '*',
          Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com` } },
        }]),
      },
    });
    expect(JSON.stringify(statements)).not.toContain('PutSecretValue');
    expect(JSON.stringify(statements)).not.toContain('codeartifact:');
  });

  test('grantGetAuthorizationToken gives a role both actions, scoped to this domain', () => {
    // GIVEN
    const stack = newStack();
    const token = new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'my-domain', domainOwner: '444455556666' });
    const role = new iam.Role(stack, 'Consumer', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    // WHEN
    const grant = token.grantGetAuthorizationToken(role);
    // THEN
    expect(grant.success).toBe(true);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Consumer') }],
      PolicyDocument: {
        Statement: [
          { Action: 'codeartifact:GetAuthorizationToken', Effect: 'Allow', Resource: domainArn('my-domain', '444455556666') },
          {
            Action: 'sts:GetServiceBearerToken',
            Effect: 'Allow',
            Resource: '*',
            Condition: { StringEquals: { 'sts:AWSServiceName': 'codeartifact.amazonaws.com' } },
          },
        ],
      },
    });
  });
});

describe('one handler per stack', () => {
  test('several tokens share one Lambda, one handler role, one issuer role and one managed policy', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    new CodeArtifactAuthorizationToken(stack, 'A', { domain: 'domain-a' });
    new CodeArtifactAuthorizationToken(stack, 'B', { domain: 'domain-b' });
    new CodeArtifactAuthorizationToken(stack, 'C', { domain: 'domain-a', tokenDuration: Duration.hours(10) });
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('AWS::IAM::Role', 2);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
    template.resourceCountIs('AWS::SecretsManager::Secret', 3);
    const domains = statementsFor(template, 'codeartifact:GetAuthorizationToken');
    expect(domains).toHaveLength(1);
    expect(domains[0].Resource).toEqual([domainArn('domain-a'), domainArn('domain-b')]);
    expect(statementsFor(template, 'secretsmanager:PutSecretValue')).toHaveLength(1);
    for (const secret of Object.values(template.findResources('AWS::SecretsManager::Secret')) as any[]) {
      expect(secret.Properties.Tags).toContainEqual({ Key: 'cdk-codeartifact-token:stack', Value: { Ref: 'AWS::StackId' } });
    }
  });

  test('a second token with another VPC placement is refused, naming both', () => {
    // GIVEN
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { restrictDefaultSecurityGroup: false });
    new CodeArtifactAuthorizationToken(stack, 'A', { domain: 'domain-a', vpc });
    // WHEN / THEN
    expect(() => new CodeArtifactAuthorizationToken(stack, 'B', { domain: 'domain-b' }))
      .toThrow(/share one handler Lambda, so vpc, vpcSubnets, securityGroups, .* must be the same.*got no vpc, .* but an earlier token set vpc TestStack\/Vpc/);
  });

  test('runs the handler in the given VPC subnets and security groups', () => {
    // GIVEN
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { restrictDefaultSecurityGroup: false });
    const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc });
    // WHEN
    for (const id of ['A', 'B']) {
      new CodeArtifactAuthorizationToken(stack, id, {
        domain: 'my-domain', vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, securityGroups: [sg],
      });
    }
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: {
        SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Sg'), 'GroupId'] }],
        SubnetIds: Match.arrayWith([{ Ref: Match.stringLikeRegexp('PrivateSubnet1Subnet') }]),
      },
    });
  });
});

describe('scale', () => {
  const isPolicy = (r: any) => r.Type === 'AWS::IAM::ManagedPolicy' || r.Type === 'AWS::IAM::Policy';

  test.each([100, 150])('%i tokens add 3 resources each, and a few policies that bind them, within IAM\'s quotas', (n) => {
    // GIVEN
    const one = newStack('One');
    new CodeArtifactAuthorizationToken(one, 'Token', { domain: 'domain-0' });
    const oneResources = Object.values(Template.fromStack(one).toJSON().Resources) as any[];
    const stack = newStack();
    // WHEN: a dozen domains, some tokens named, most not
    for (let i = 0; i < n; i++) {
      new CodeArtifactAuthorizationToken(stack, `Token${i}`, {
        domain: `team-${i % 12}-packages`,
        secretName: i % 3 === 0 ? `ci/codeartifact/token-number-${i}` : undefined,
      });
    }
    // THEN every resource but the policies is one of 3 per token
    const template = Template.fromStack(stack);
    const resources = Object.values(template.toJSON().Resources) as any[];
    expect(resources.filter((r) => !isPolicy(r)).length).toBe(oneResources.filter((r) => !isPolicy(r)).length + (n - 1) * 3);
    expect((resources.length - oneResources.length) / (n - 1)).toBeLessThanOrEqual(3.05);
    expect(resources.length).toBeLessThanOrEqual(500);
    expectWithinIamQuotas(template);
    // AND each token is bound once, with both of its session tag values
    const [bind] = statementsFor(template, 'sts:GetServiceBearerToken');
    expect(statementsFor(template, 'sts:GetServiceBearerToken').flatMap((st) => st.Condition.StringEquals['aws:PrincipalTag/cdk-codeartifact-token:token'])).toHaveLength(n);
    expect(statementsFor(template, 'sts:GetServiceBearerToken').flatMap((st) => st.Condition.StringEquals['aws:PrincipalTag/cdk-codeartifact-token:repositories'])).toHaveLength(n);
    expect(bind.Condition.StringEquals['sts:AWSServiceName']).toBe('codeartifact.amazonaws.com');
  });

  test('150 tokens with 150 distinct customer-managed keys: at most 3.05 resources per added token, every policy within IAM\'s limits', () => {
    // GIVEN
    const keyArn = (i: number) => `arn:aws:kms:${REGION}:${ACCOUNT}:key/${String(i).padStart(8, '0')}-1111-2222-3333-444455556666`;
    const one = newStack('One');
    new CodeArtifactAuthorizationToken(one, 'Token', { domain: 'team-0', encryptionKey: kms.Key.fromKeyArn(one, 'Key', keyArn(0)) });
    const base = Object.keys(Template.fromStack(one).toJSON().Resources).length;
    const stack = newStack();
    // WHEN: each token its own imported key, and one created in the stack (its ARN resolves at deploy time)
    for (let i = 0; i < 150; i++) {
      const key = i === 0 ? new kms.Key(stack, 'OwnKey') : kms.Key.fromKeyArn(stack, `Key${i}`, keyArn(i));
      new CodeArtifactAuthorizationToken(stack, `Token${i}`, { domain: `team-${i % 12}`, encryptionKey: key });
    }
    // THEN
    const template = Template.fromStack(stack);
    const resources = Object.values(template.toJSON().Resources) as any[];
    const created = 1; // the stack's own key
    expect((resources.length - created - base) / 149).toBeLessThanOrEqual(3.05);
    expectWithinIamQuotas(template);
    // every key is granted once, only through Secrets Manager
    const keys = statementsFor(template, 'kms:Decrypt');
    expect(keys.flatMap((st) => [st.Resource].flat())).toHaveLength(150);
    for (const st of keys) expect(st.Condition).toEqual({ StringEquals: { 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com` } });
  });

  test('many distinct domains spill into further managed policies, each under 6,144 characters', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    for (let i = 0; i < 150; i++) {
      new CodeArtifactAuthorizationToken(stack, `Token${i}`, { domain: `a-rather-long-domain-name-for-team-${i}` });
    }
    // THEN
    const template = Template.fromStack(stack);
    const issuerManaged = Object.entries(template.findResources('AWS::IAM::ManagedPolicy'))
      .filter(([, p]: [string, any]) => p.Properties.Roles.some((r: any) => /^CodeArtifactTokenHandlerIssuerRole/.test(r.Ref)));
    expect(issuerManaged.length).toBeGreaterThan(1);
    expectWithinIamQuotas(template);
    const granted = statementsFor(template, 'codeartifact:GetAuthorizationToken').flatMap((st) => st.Resource);
    expect(granted).toHaveLength(150);
    expect(statementsFor(template, 'codeartifact:ReadFromRepository').flatMap((st) => st.Resource)).toHaveLength(150);
    // each token's deploy-time resource waits for the policy that grants its domain and repositories
    const lastIssue = Object.values(template.findResources('Custom::CodeArtifactAuthorizationToken')).pop() as any;
    expect(lastIssue.DependsOn).toContain(issuerManaged[issuerManaged.length - 1][0]);
  });
});

describe('short-lived tokens: rotations started by EventBridge Scheduler', () => {
  // GIVEN
  const stack = newStack();
  // WHEN
  const token = new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'my-domain', tokenDuration: Duration.minutes(15) });
  const template = Template.fromStack(stack);

  test('derives a 5-minute interval for 15-minute tokens, kept by a Scheduler schedule instead of a rotation schedule', () => {
    // THEN
    expect(token.rotationInterval.toMinutes()).toBe(5);
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
    template.hasResource('AWS::Scheduler::Schedule', {
      Properties: {
        ScheduleExpression: 'rate(5 minutes)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: 'ENABLED',
        Target: Match.objectLike({
          RetryPolicy: { MaximumEventAgeInSeconds: 300 },
          RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CodeArtifactTokenHandlerSchedulerRole'), 'Arn'] },
        }),
      },
      // the first tick comes after the deploy-time token, and finds Secrets Manager allowed to invoke the handler
      DependsOn: Match.arrayWith([
        Match.stringLikeRegexp('^CodeArtifactTokenHandlerInvokedBySecretsManager'),
        Match.stringLikeRegexp('^CodeArtifactTokenHandlerSchedulerRoleDefaultPolicy'),
        Match.stringLikeRegexp('^TokenIssueToken'),
      ]),
    });
  });

  test('its universal target calls secretsmanager:rotateSecret with the secret, the handler and fallback rules, and no ClientRequestToken', () => {
    const schedule = Object.values(template.findResources('AWS::Scheduler::Schedule'))[0] as any;
    expect(schedule.Properties.Target.Arn).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:::aws-sdk:secretsmanager:rotateSecret']],
    });
    const [, parts] = schedule.Properties.Target.Input['Fn::Join'];
    expect(parts).toEqual([
      '{"SecretId":"', expect.objectContaining({ Ref: expect.stringMatching(/^TokenSecret/) }),
      '","RotationLambdaARN":"', expect.objectContaining({ 'Fn::GetAtt': [expect.stringMatching(/^CodeArtifactTokenHandler/), 'Arn'] }),
      '","RotationRules":{"ScheduleExpression":"rate(4 hours)","Duration":"1h"}}',
    ]);
    expect(JSON.stringify(parts)).not.toMatch(/ClientRequestToken/);
  });

  test('Scheduler\'s role trusts only this stack\'s schedule group, and may rotate only this stack\'s token secrets and invoke only the handler', () => {
    const [groupId] = Object.keys(template.findResources('AWS::Scheduler::ScheduleGroup'));
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [groupId, 'Arn'] } } },
        }],
      },
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { GroupName: { Ref: groupId } });
    const [rotate] = statementsFor(template, 'secretsmanager:RotateSecret');
    expect(rotate).toEqual({
      Action: 'secretsmanager:RotateSecret',
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:secretsmanager:${REGION}:${ACCOUNT}:secret:*`]] },
      Condition: {
        StringEquals: {
          'aws:ResourceTag/aws:cloudformation:stack-id': { Ref: 'AWS::StackId' },
          'aws:ResourceTag/cdk-codeartifact-token:stack': { Ref: 'AWS::StackId' },
        },
      },
    });
    const invoke = statementsFor(template, 'lambda:InvokeFunction');
    expect(invoke).toEqual([{
      Action: 'lambda:InvokeFunction',
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^CodeArtifactTokenHandler[0-9a-f]{32}/), 'Arn'] },
    }]);
    // RotateSecret is the role's only Secrets Manager action; the handler's own role never gets it
    const handlerRole = Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) => /^CodeArtifactTokenHandlerRoleDefaultPolicy/.test(id))![1] as any;
    expect(JSON.stringify(handlerRole)).not.toMatch(/RotateSecret|InvokeFunction/);
  });

  test('the secret is tagged and configured as in the default mode, with its rotation suppressed for cdk-nag with the reason', () => {
    const secret = Object.values(template.findResources('AWS::SecretsManager::Secret'))[0] as any;
    expect(secret.Properties.Tags).toContainEqual({ Key: 'cdk-codeartifact-token:duration-seconds', Value: '900' });
    expect(secret.Metadata.cdk_nag.rules_to_suppress.map((r: any) => r.id)).toContain('AwsSolutions-SMG4');
  });

  test.each([
    [Duration.hours(12), Duration.minutes(90), 'rate(90 minutes)'],
    [Duration.hours(12), Duration.minutes(270), 'rate(270 minutes)'],
    [Duration.hours(8), undefined, 'rate(237 minutes)'],
    [Duration.hours(2), undefined, 'rate(57 minutes)'],
    [Duration.minutes(30), undefined, 'rate(12 minutes)'],
  ])('tokenDuration %s with rotationInterval %s: %s', (tokenDuration, rotationInterval, expression) => {
    const s = newStack();
    new CodeArtifactAuthorizationToken(s, 'Token', { domain: 'my-domain', tokenDuration, rotationInterval });
    Template.fromStack(s).hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: expression });
    Template.fromStack(s).resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
  });

  test.each([
    [Duration.hours(12), undefined, 'rate(5 hours)'],
    [Duration.hours(9), undefined, 'rate(4 hours)'],
    [Duration.hours(12), Duration.hours(4), 'rate(4 hours)'],
  ])('tokenDuration %s with rotationInterval %s keeps Secrets Manager\'s schedule, %s, and creates nothing for Scheduler', (tokenDuration, rotationInterval, expression) => {
    const s = newStack();
    new CodeArtifactAuthorizationToken(s, 'Token', { domain: 'my-domain', tokenDuration, rotationInterval });
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: expression, Duration: '1h' } });
    t.resourceCountIs('AWS::Scheduler::Schedule', 0);
    t.resourceCountIs('AWS::IAM::Role', 2);
    expect(statementsFor(t, 'secretsmanager:RotateSecret')).toEqual([]);
  });

  test('3 resources per added token in either mode: the secret, the custom resource and its schedule; one Scheduler role per stack', () => {
    const count = (n: number, props: Partial<ConstructorParameters<typeof CodeArtifactAuthorizationToken>[2]>) => {
      const s = newStack();
      for (let i = 0; i < n; i++) new CodeArtifactAuthorizationToken(s, `T${i}`, { domain: 'my-domain', ...props });
      return Object.keys(Template.fromStack(s).toJSON().Resources).length;
    };
    const perToken = (props: Partial<ConstructorParameters<typeof CodeArtifactAuthorizationToken>[2]>) => (count(21, props) - count(1, props)) / 20;
    expect(perToken({})).toBe(3);
    expect(perToken({ tokenDuration: Duration.minutes(15) })).toBe(3);
    expect(perToken({ replicaRegions: [{ region: 'us-east-1' }, { region: 'eu-central-1' }] })).toBe(3);
    // and the Scheduler role (with its policy) once, shared by every short token
    const s = newStack();
    for (let i = 0; i < 5; i++) new CodeArtifactAuthorizationToken(s, `T${i}`, { domain: 'my-domain', tokenDuration: Duration.hours(1) });
    new CodeArtifactAuthorizationToken(s, 'Long', { domain: 'my-domain' });
    const t = Template.fromStack(s);
    t.resourceCountIs('AWS::IAM::Role', 3);
    t.resourceCountIs('AWS::Scheduler::Schedule', 5);
    t.resourceCountIs('AWS::SecretsManager::RotationSchedule', 1);
    expect(statementsFor(t, 'secretsmanager:RotateSecret')).toHaveLength(1);
  });
});

describe('replica regions', () => {
  const replicaKeyArn = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const setup = () => {
    const stack = newStack();
    const replicaKey = kms.Key.fromKeyArn(stack, 'ReplicaKey', replicaKeyArn);
    const token = new CodeArtifactAuthorizationToken(stack, 'Token', {
      domain: 'my-domain',
      replicaRegions: [{ region: 'us-east-1', encryptionKey: replicaKey }, { region: 'ap-southeast-2' }],
    });
    return { stack, token };
  };

  test('replicates the secret, each replica with its own key or the region\'s aws/secretsmanager', () => {
    // GIVEN / WHEN
    const { stack, token } = setup();
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::Secret', {
      ReplicaRegions: [{ Region: 'us-east-1', KmsKeyId: replicaKeyArn }, { Region: 'ap-southeast-2' }],
    });
    expect(token.replicaRegions.map((r) => r.region)).toEqual(['us-east-1', 'ap-southeast-2']);
  });

  test('lets the handler encrypt with a replica\'s key through Secrets Manager only, and writes only in the stack\'s region', () => {
    const { stack } = setup();
    const template = Template.fromStack(stack);
    expect(statementsFor(template, 'kms:Encrypt')).toEqual([{
      Action: ['kms:Encrypt', 'kms:GenerateDataKey'],
      Effect: 'Allow',
      Resource: replicaKeyArn,
      Condition: { StringLike: { 'kms:ViaService': 'secretsmanager.*' } },
    }]);
    // the handler writes the primary only: its Secrets Manager statement stays in the stack's region
    expect(statementsFor(template, 'secretsmanager:PutSecretValue').map((st) => st.Resource))
      .toEqual([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:secretsmanager:${REGION}:${ACCOUNT}:secret:*`]] }]);
    expect(statementsFor(template, 'secretsmanager:ReplicateSecretToRegions')).toEqual([]);
  });

  test('without replicas or replica keys, the handler gets no kms:Encrypt', () => {
    const stack = newStack();
    new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'my-domain', replicaRegions: [{ region: 'us-east-1' }] });
    expect(statementsFor(Template.fromStack(stack), 'kms:Encrypt')).toEqual([]);
  });

  test('grantRead lets readers read each replica (same ARN, another region) and decrypt it with its key there', () => {
    // GIVEN
    const { stack, token } = setup();
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    // WHEN
    token.grantRead(role);
    // THEN
    const template = Template.fromStack(stack);
    const reads = statementsFor(template, 'secretsmanager:GetSecretValue').filter((st) => !JSON.stringify(st).includes('PutSecretValue'));
    expect(reads).toHaveLength(2);
    const replicaRead = reads.find((st) => Array.isArray(st.Resource))!;
    // the primary's ARN, split at its colons, with the replica's region put in
    expect(replicaRead.Resource.map((arn: any) => arn['Fn::Join'][1][4])).toEqual([':us-east-1:', ':ap-southeast-2:']);
    expect(JSON.stringify(replicaRead.Resource)).not.toMatch(new RegExp(REGION));
    expect(replicaRead.Resource[0]['Fn::Join'][1][3]).toEqual({ 'Fn::Select': [2, { 'Fn::Split': [':', { Ref: expect.stringMatching(/^TokenSecret/) }] }] });
    expect(statementsFor(template, 'kms:Decrypt').filter((st) => st.Resource === replicaKeyArn)).toEqual([{
      Action: 'kms:Decrypt',
      Effect: 'Allow',
      Resource: replicaKeyArn,
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
    }]);
  });
});

describe('validation', () => {
  const make = (props: Partial<ConstructorParameters<typeof CodeArtifactAuthorizationToken>[2]>) => () =>
    new CodeArtifactAuthorizationToken(newStack(), 'Token', { domain: 'my-domain', ...props });

  test.each([
    ['My_Domain'], ['a'], ['1domain'], ['domain-'], ['d'.repeat(51)],
  ])('rejects domain %j, quoting it', (domain) => {
    expect(make({ domain })).toThrow(new RegExp(`domain must be 2-50 characters.*got "${domain}"`));
  });

  test('rejects a domainOwner that is not 12 digits', () => {
    expect(make({ domainOwner: '1111-2222-3333' })).toThrow(/domainOwner must be a 12-digit AWS account id.*got "1111-2222-3333"/);
  });

  test('rejects a domainRegion that is not a region name', () => {
    expect(make({ domainRegion: 'Europe' })).toThrow(/domainRegion must be an AWS region name.*got "Europe"/);
  });

  test('rejects a tokenDuration under 15 minutes or over 12 hours', () => {
    expect(make({ tokenDuration: Duration.minutes(10) })).toThrow(/tokenDuration must be 0 or between 15 minutes and 12 hours \(900-43200 seconds\), got 10 minutes \(600 seconds\)/);
    expect(make({ tokenDuration: Duration.hours(13) })).toThrow(/got 13 hours \(46800 seconds\)/);
  });

  test('rejects a tokenDuration that is not whole seconds', () => {
    expect(make({ tokenDuration: Duration.millis(3_600_500) })).toThrow(/tokenDuration must be a whole number of seconds, got 1 hour 500 millis/);
  });

  test('rejects a rotationInterval that is not whole minutes, naming both schedules it could use', () => {
    expect(make({ rotationInterval: Duration.seconds(300 * 60 + 30) }))
      .toThrow(/rotationInterval must be whole minutes \(EventBridge Scheduler's rate\(N minutes\)\), or whole hours of at least 4 \(Secrets Manager's rate\(N hours\)\), got 5 hours 30 seconds/);
  });

  test('rejects a rotationInterval under 5 minutes, although Scheduler allows 1', () => {
    expect(make({ tokenDuration: Duration.minutes(15), rotationInterval: Duration.minutes(2) }))
      .toThrow(/rotationInterval must be at least 5 minutes \(EventBridge Scheduler allows 1, but a rotation must finish before the next one starts\), got 2 minutes/);
  });

  test('rejects a rotationInterval not shorter than tokenDuration, saying what would fit', () => {
    expect(make({ tokenDuration: Duration.hours(6), rotationInterval: Duration.hours(6) }))
      .toThrow(/rotationInterval \(6 hours\) must be shorter than tokenDuration, got tokenDuration 6 hours: tokens would expire before they are replaced\. Leave rotationInterval out for a derived one, or make it at most 5h50m \(350 minutes\)/);
    expect(make({ tokenDuration: Duration.minutes(30), rotationInterval: Duration.minutes(30) }))
      .toThrow(/rotationInterval \(30 minutes\) must be shorter than tokenDuration, got tokenDuration 30 minutes.*at most 20 minutes/);
  });

  test('rejects a rotationInterval that leaves a token read at the worst moment less than 5 minutes', () => {
    // Secrets Manager's schedule may start an hour late: 12 - 11 - 1 = 0 minutes left
    expect(make({ rotationInterval: Duration.hours(11) }))
      .toThrow(/rotationInterval \(11 hours\) must leave a token at least 5 minutes of validity when it is read, got tokenDuration 12 hours: .*up to 60 minutes late.*0 minutes left\. Make rotationInterval at most 11h50m \(710 minutes\), or leave it out/);
    // Scheduler lands within 5 minutes: 15 - 8 - 5 = 2 minutes left
    expect(make({ tokenDuration: Duration.minutes(15), rotationInterval: Duration.minutes(8) }))
      .toThrow(/rotationInterval \(8 minutes\) must leave a token at least 5 minutes .*got tokenDuration 15 minutes: .*up to 5 minutes late.*2 minutes left\. Make rotationInterval at most 5 minutes, or leave it out/);
  });

  test('rejects a handlerReservedConcurrency under 1 or not whole, quoting it', () => {
    expect(make({ handlerReservedConcurrency: 0 })).toThrow(/handlerReservedConcurrency must be a whole number of at least 1 \(0 would stop every token from being issued\), got 0/);
    expect(make({ handlerReservedConcurrency: 2.5 })).toThrow(/handlerReservedConcurrency must be a whole number of at least 1 .*got 2.5/);
  });

  test('refuses a second token asking the shared handler for other log settings, naming both', () => {
    const stack = newStack();
    new CodeArtifactAuthorizationToken(stack, 'A', { domain: 'domain-a', logRemovalPolicy: RemovalPolicy.RETAIN });
    expect(() => new CodeArtifactAuthorizationToken(stack, 'B', { domain: 'domain-b' }))
      .toThrow(/share one handler Lambda, so .*logRemovalPolicy and handlerReservedConcurrency must be the same .*got no vpc, log group key none, log removal policy destroy, reserved concurrency none, but an earlier token set no vpc, log group key none, log removal policy retain/);
  });

  test('rejects a secretName Secrets Manager would refuse', () => {
    expect(make({ secretName: 'my token!' })).toThrow(/secretName must be 1-512 characters.*got "my token!"/);
  });

  test('rejects vpcSubnets without vpc', () => {
    expect(make({ vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } })).toThrow(/vpcSubnets and securityGroups need vpc/);
  });

  test('rejects vpcSubnets and securityGroups without vpc, quoting what was given', () => {
    // GIVEN
    const stack = newStack();
    const sg = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-12345678');
    // WHEN / THEN
    expect(() => new CodeArtifactAuthorizationToken(stack, 'Token', {
      domain: 'my-domain',
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED, onePerAz: true },
      securityGroups: [sg],
    })).toThrow('vpcSubnets and securityGroups need vpc: the handler runs outside any VPC unless vpc is set, '
      + 'got vpcSubnets { subnetType: "Isolated", onePerAz: true } and securityGroups [TestStack/Sg] without vpc');
    expect(stack.node.tryFindChild('CodeArtifactTokenHandler')).toBeUndefined();
  });

  test('reports every problem at once, before creating any resource', () => {
    const stack = newStack();
    expect(() => new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'X', domainOwner: '12' }))
      .toThrow(/domain must.*got "X"; domainOwner must.*got "12"/);
    expect(stack.node.findAll().filter((c) => c.node.id === 'Secret')).toHaveLength(0);
  });

  test('warns, with an id users can acknowledge, when tokenDuration is 0', () => {
    const stack = newStack();
    new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'my-domain', tokenDuration: Duration.seconds(0) });
    Annotations.fromStack(stack).hasWarning('/TestStack/Token', Match.stringLikeRegexp('tokenDuration 0 makes each token expire with the issuer role session that asked for it, one hour'));
    Annotations.fromStack(stack).hasWarning('/TestStack/Token', Match.stringLikeRegexp('\\[ack: cdk-codeartifact-token:tokenDurationSessionExpiry\\]'));
  });

  test('warns when less than an hour (or a quarter of tokenDuration) of validity may be left', () => {
    // GIVEN / WHEN: Secrets Manager's schedule, 5.5 - 4 - 1 hours = 30 minutes left
    const stack = newStack();
    new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'my-domain', tokenDuration: Duration.minutes(330), rotationInterval: Duration.hours(4) });
    // THEN
    Annotations.fromStack(stack).hasWarning('/TestStack/Token',
      Match.stringLikeRegexp('has only 30 minutes left.*\\[ack: cdk-codeartifact-token:tokenValidityMargin\\]'));
    // Scheduler: 60 - 45 - 5 = 10 minutes left, under a quarter of an hour
    const short = newStack();
    new CodeArtifactAuthorizationToken(short, 'Token', { domain: 'my-domain', tokenDuration: Duration.hours(1), rotationInterval: Duration.minutes(45) });
    Annotations.fromStack(short).hasWarning('/TestStack/Token', Match.stringLikeRegexp('has only 10 minutes left \\(rotation can start up to 5 minutes late\\)'));
  });

  test.each([
    [15], [30], [60], [120], [240], [480],
  ])('does not warn for %i-minute tokens with the derived interval', (minutes) => {
    const stack = newStack();
    new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'my-domain', tokenDuration: Duration.minutes(minutes) });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('rejects replicaRegions that are not region names, repeat, or name the stack\'s own region', () => {
    expect(make({ replicaRegions: [{ region: 'Virginia' }] })).toThrow(/replicaRegions must name AWS regions such as "us-east-1", got "Virginia"/);
    expect(make({ replicaRegions: [{ region: 'us-east-1' }, { region: 'us-east-1' }] })).toThrow(/replicaRegions must not repeat a region, got "us-east-1" more than once/);
    expect(make({ replicaRegions: [{ region: REGION }] })).toThrow(/replicaRegions must not include the stack's own region, where the primary secret is, got "eu-west-1"/);
  });

  test('does not warn for the defaults', () => {
    const stack = newStack();
    new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'my-domain' });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('skips the checks for unresolved values, which the handler checks at deploy time', () => {
    const stack = newStack();
    const domain = new CfnParameter(stack, 'Domain').valueAsString;
    expect(() => new CodeArtifactAuthorizationToken(stack, 'Token', { domain })).not.toThrow();
    Template.fromStack(stack).hasResourceProperties('Custom::CodeArtifactAuthorizationToken', { Domain: { Ref: 'Domain' } });
  });
});
