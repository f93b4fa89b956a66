import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/**
 * The upper bound we keep each managed policy under. IAM allows 6,144 characters in a managed
 * policy (IAM and AWS STS quotas); the rest is headroom for ARNs whose parts resolve only at deploy time.
 */
export const POLICY_BUDGET_CHARS = 5000;
/** A statement's own characters: Effect, Action list, Condition, braces. */
const STATEMENT_OVERHEAD_CHARS = 250;
/** Managed policies a role can have attached by default (IAM and AWS STS quotas). */
export const MAX_MANAGED_POLICIES_PER_ROLE = 10;

/** One kind of grant: a statement shape that ARNs are added to. */
export interface GrantKind {
  readonly actions: string[];
  readonly conditions?: Record<string, unknown>;
}

interface Chunk {
  readonly policy: iam.ManagedPolicy;
  readonly statements: Map<string, iam.PolicyStatement>;
  chars: number;
}

/**
 * Customer-managed policies of one role, filled up to a size budget: an ARN granted by many tokens
 * is listed once, and a new policy starts only when the last one is full. This keeps a stack of many
 * tokens within IAM's limits (6,144 characters per managed policy, 10 managed policies per role),
 * where one statement per token would overflow the role's 10,240-character inline policy.
 */
export class PolicyBudget<Kind extends string> {
  private readonly chunks: Chunk[] = [];
  private readonly granted = new Map<string, iam.ManagedPolicy>();

  /**
   * @param scope where the policies are created
   * @param idPrefix the policies' construct ids, numbered from 1
   * @param role the role they are attached to
   * @param kinds the statement shapes, by name
   * @param describe the policies' description, and how to configure each new one
   * @param tooMany the error when the role would need more managed policies than IAM allows
   */
  constructor(
    private readonly scope: Construct,
    private readonly idPrefix: string,
    private readonly role: iam.IRole,
    private readonly kinds: Record<Kind, GrantKind>,
    private readonly describe: { description: string; configure?: (policy: iam.ManagedPolicy) => void },
    private readonly tooMany: () => string,
  ) {}

  /** Grants `arn` in the statement of `kind` (once); `chars` is what it adds, at its longest. Returns the policy that holds it. */
  public grant(kind: Kind, arn: string, chars: number): iam.ManagedPolicy {
    const key = `${kind}\n${arn}`;
    const existing = this.granted.get(key);
    if (existing) {
      return existing;
    }
    let chunk: Chunk | undefined = this.chunks[this.chunks.length - 1];
    const statementCost = chunk?.statements.has(kind) ? 0 : STATEMENT_OVERHEAD_CHARS;
    if (!chunk || chunk.chars + chars + statementCost > POLICY_BUDGET_CHARS) {
      chunk = this.newChunk();
    }
    let statement = chunk.statements.get(kind);
    if (!statement) {
      statement = new iam.PolicyStatement({ actions: this.kinds[kind].actions, conditions: this.kinds[kind].conditions, resources: [] });
      chunk.statements.set(kind, statement);
      chunk.policy.addStatements(statement);
      chunk.chars += STATEMENT_OVERHEAD_CHARS;
    }
    statement.addResources(arn);
    chunk.chars += chars;
    this.granted.set(key, chunk.policy);
    return chunk.policy;
  }

  private newChunk(): Chunk {
    if (this.chunks.length >= MAX_MANAGED_POLICIES_PER_ROLE) {
      throw new Error(this.tooMany());
    }
    const policy = new iam.ManagedPolicy(this.scope, `${this.idPrefix}${this.chunks.length + 1}`, {
      description: this.describe.description,
      roles: [this.role],
    });
    this.describe.configure?.(policy);
    const chunk: Chunk = { policy, statements: new Map(), chars: 0 };
    this.chunks.push(chunk);
    return chunk;
  }
}
