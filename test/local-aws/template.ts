/**
 * Reads a synthesized template the way CloudFormation would deploy it into the local AWS: resolves
 * the intrinsic functions our templates use over the physical ids of what the kit created, and
 * finds the handler's Lambda and its asset in the cloud assembly.
 */
import * as fs from 'fs';
import * as path from 'path';

/** moto's default account, and where the local AWS "is". */
export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const PARTITION = 'aws';
export const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/CodeArtifactTokenDefault/0a1b2c3d-4e5f-6789-abcd-ef0123456789`;

/** The ARN the local AWS gives a template's role (CloudFormation would add a random suffix). */
export function roleArn(logicalId: string): string {
  return `arn:${PARTITION}:iam::${ACCOUNT}:role/${logicalId}`;
}

/**
 * The tags CloudFormation adds to what it creates (the resource's registry schema says
 * cloudFormationSystemTags and tagOnCreate), which no user can set.
 */
export function cloudFormationSystemTags(logicalId: string): Array<{ Key: string; Value: string }> {
  return [
    { Key: 'aws:cloudformation:stack-name', Value: STACK_ID.split('/')[1] },
    { Key: 'aws:cloudformation:stack-id', Value: STACK_ID },
    { Key: 'aws:cloudformation:logical-id', Value: logicalId },
  ];
}

export interface HandlerFunction {
  readonly logicalId: string;
  /** The bundled handler file in the cloud assembly, as shipped. */
  readonly asset: string;
  readonly timeoutMs: number;
  /** The function's runtime, e.g. `nodejs24.x`. */
  readonly runtime: string;
  /** The ARN of the function's execution role: the identity of the handler's own credentials. */
  readonly roleArn: string;
  /** The function's ARN: `lambda:SourceFunctionArn` in every request its credentials sign. */
  readonly functionArn: string;
  /** The function's environment variables, resolved. */
  readonly environment: Record<string, string>;
}

export class TemplateResolver {
  /** Physical ids of the resources the kit created, by logical id. */
  public readonly physical: Record<string, string>;
  /** Resolved policies by role, valid while neither the template nor a physical id changes. */
  private readonly policyCache = new Map<string, any[]>();
  private deployed: any;

  /** @param template the deployed template; a stack update replaces it (E2eEnv.updateStack) */
  constructor(template: any) {
    this.deployed = template;
    // Every request the local AWS decides resolves its principal's policies: a burst of 150 deploys
    // must not spend its time walking the template again for each.
    this.physical = new Proxy<Record<string, string>>({}, {
      set: (target, key, value) => {
        this.policyCache.clear();
        return Reflect.set(target, key, value);
      },
      deleteProperty: (target, key) => {
        this.policyCache.clear();
        return Reflect.deleteProperty(target, key);
      },
    });
  }

  public get template(): any {
    return this.deployed;
  }

  public set template(template: any) {
    this.policyCache.clear();
    this.deployed = template;
  }

  /**
   * The identity policies of a template role, resolved: its inline policies, the customer-managed
   * policies it lists, and the AWS::IAM::Policy / ManagedPolicy resources that name it. AWS-managed
   * policies (by ARN) are left out: none of them grants CodeArtifact or STS rights to our roles.
   */
  public policiesOfRole(logicalId: string): any[] {
    const cached = this.policyCache.get(logicalId);
    if (cached) return cached;
    const policies = this.resolvePoliciesOfRole(logicalId);
    this.policyCache.set(logicalId, policies);
    return policies;
  }

  private resolvePoliciesOfRole(logicalId: string): any[] {
    const resources = this.template.Resources as Record<string, any>;
    const role = resources[logicalId];
    if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${logicalId} is not a role in the template`);
    const names = (roles: any[] | undefined) => (roles ?? []).some((r) => r?.Ref === logicalId);
    const docs: any[] = (role.Properties.Policies ?? []).map((p: any) => p.PolicyDocument);
    for (const arn of role.Properties.ManagedPolicyArns ?? []) {
      if (arn?.Ref && resources[arn.Ref]?.Type === 'AWS::IAM::ManagedPolicy') docs.push(resources[arn.Ref].Properties.PolicyDocument);
    }
    for (const r of Object.values(resources)) {
      if ((r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') && names(r.Properties.Roles)) {
        docs.push(r.Properties.PolicyDocument);
      }
    }
    return docs.map((d) => this.resolveLoosely(d));
  }

  /** A role's trust policy, resolved. */
  public trustPolicyOfRole(logicalId: string): any {
    return this.resolveLoosely(this.template.Resources[logicalId].Properties.AssumeRolePolicyDocument);
  }

  /** Like resolve, but a reference to something not created (yet) becomes a string that matches no ARN. */
  public resolveLoosely(v: any): any {
    try {
      return this.resolve(v);
    } catch {
      if (Array.isArray(v)) return v.map((x) => this.resolveLoosely(x));
      if (v === null || typeof v !== 'object') return v;
      if ('Ref' in v || 'Fn::GetAtt' in v || 'Fn::Join' in v || 'Fn::Sub' in v) return `<unresolved ${JSON.stringify(v)}>`;
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.resolveLoosely(x)]));
    }
  }

  /** Resolves a template value: Ref, Fn::GetAtt, Fn::Join, Fn::Sub over what the kit created. */
  public resolve(v: any): any {
    if (Array.isArray(v)) return v.map((x) => this.resolve(x));
    if (v === null || typeof v !== 'object') return v;
    if ('Ref' in v) {
      const pseudo: Record<string, string> = {
        'AWS::AccountId': ACCOUNT, 'AWS::Region': REGION, 'AWS::Partition': PARTITION, 'AWS::StackId': STACK_ID,
      };
      const ref = pseudo[v.Ref] ?? this.physical[v.Ref];
      if (ref === undefined) throw new Error(`cannot resolve Ref ${v.Ref}`);
      return ref;
    }
    if ('Fn::GetAtt' in v) {
      const [id, attr] = v['Fn::GetAtt'];
      const r = this.template.Resources[id];
      if (r?.Type === 'AWS::CodeArtifact::Domain' && attr === 'Name') return r.Properties.DomainName;
      if (r?.Type === 'AWS::CodeArtifact::Repository' && attr === 'Name') return r.Properties.RepositoryName;
      if (r?.Type === 'AWS::Lambda::Function' && attr === 'Arn') return `arn:${PARTITION}:lambda:${REGION}:${ACCOUNT}:function:${id}`;
      if (r?.Type === 'AWS::IAM::Role' && attr === 'Arn') return roleArn(id);
      throw new Error(`cannot resolve Fn::GetAtt ${id}.${attr}`);
    }
    if ('Fn::Join' in v) {
      const [sep, parts] = v['Fn::Join'];
      return this.resolve(parts).join(sep);
    }
    if ('Fn::Sub' in v) {
      return String(v['Fn::Sub']).replace(/\$\{([^}]+)\}/g, (_, name) => this.resolve({ Ref: name }));
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.resolve(x)]));
  }
}

/** The handler's Lambda in the template and its asset in cdk.out (by the Code S3Key hash). */
export function findHandler(template: any, cdkOut: string, resolver = new TemplateResolver(template)): HandlerFunction {
  const [logicalId, fn] = Object.entries<any>(template.Resources).find(([, r]) =>
    r.Type === 'AWS::Lambda::Function' && r.Properties.Description?.includes('cdk-codeartifact-token'))
    ?? (() => { throw new Error('no cdk-codeartifact-token handler Lambda in the template'); })();
  const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
  const asset = path.join(cdkOut, `asset.${hash}`, 'index.js');
  if (!fs.existsSync(asset)) throw new Error(`the handler asset ${asset} is missing from ${cdkOut}`);
  return {
    logicalId,
    asset,
    timeoutMs: (fn.Properties.Timeout ?? 3) * 1000,
    runtime: fn.Properties.Runtime,
    roleArn: resolver.resolve(fn.Properties.Role),
    functionArn: resolver.resolve({ 'Fn::GetAtt': [logicalId, 'Arn'] }),
    environment: resolver.resolve(fn.Properties.Environment?.Variables ?? {}),
  };
}
