import { Lazy } from 'aws-cdk-lib';
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
/**
 * The most characters of a role's inline policies we fill: IAM allows 10,240 for all inline policies
 * of a role together (IAM and AWS STS quotas); the rest is headroom, as for managed policies.
 */
export const INLINE_BUDGET_CHARS = 9000;

/** One kind of grant: a statement shape that ARNs, or condition values, are added to. */
export interface GrantKind {
  readonly actions: string[];
  readonly conditions?: Record<string, Record<string, unknown>>;
  /** The statement's fixed resources, for a kind whose grants add condition values instead of ARNs. */
  readonly resources?: string[];
  /**
   * `StringEquals` condition keys whose lists of values the grants fill, one value per key per grant:
   * a grant's values always share one statement, since a statement matches only when every key does.
   */
  readonly listedKeys?: string[];
}

/** What one grant adds to the statement of its kind. */
export interface GrantEntry {
  /** An ARN, for a kind without fixed resources. */
  readonly resource?: string;
  /** One value for each of the kind's `listedKeys`, in order. */
  readonly values?: string[];
}

/** A policy the budget fills: the optional inline one first, then managed ones. */
export type BudgetPolicy = iam.ManagedPolicy | iam.Policy;

interface Chunk {
  readonly policy: BudgetPolicy;
  readonly budget: number;
  readonly statements: Map<string, { statement: iam.PolicyStatement; lists: string[][] }>;
  chars: number;
}

/**
 * Customer-managed policies of one role, filled up to a size budget: an ARN granted by many tokens
 * is listed once, and a new policy starts only when the last one is full. This keeps a stack of many
 * tokens within IAM's limits (6,144 characters per managed policy, 10 managed policies per role),
 * where one statement per token would overflow the role's 10,240-character inline policy. A role
 * that has no other inline policy may have one filled first (`inline`): its room costs no resource
 * beyond the one policy.
 */
export class PolicyBudget<Kind extends string> {
  private readonly chunks: Chunk[] = [];
  private readonly granted = new Map<string, BudgetPolicy>();

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
    private readonly describe: { description: string; configure?: (policy: BudgetPolicy) => void; inline?: boolean },
    private readonly tooMany: () => string,
  ) {}

  /**
   * Grants `entry` in the statement of `kind` (once); `chars` is what it adds, at its longest. Returns
   * the policy that holds it.
   */
  public grant(kind: Kind, entry: GrantEntry, chars: number): BudgetPolicy {
    const key = [kind, entry.resource ?? '', ...(entry.values ?? [])].join('\n');
    const existing = this.granted.get(key);
    if (existing) {
      return existing;
    }
    let chunk: Chunk | undefined = this.chunks[this.chunks.length - 1];
    const statementCost = chunk?.statements.has(kind) ? 0 : STATEMENT_OVERHEAD_CHARS;
    if (!chunk || chunk.chars + chars + statementCost > chunk.budget) {
      chunk = this.newChunk();
    }
    let held = chunk.statements.get(kind);
    if (!held) {
      held = this.newStatement(this.kinds[kind]);
      chunk.statements.set(kind, held);
      chunk.policy.addStatements(held.statement);
      chunk.chars += STATEMENT_OVERHEAD_CHARS;
    }
    if (entry.resource !== undefined) {
      held.statement.addResources(entry.resource);
    }
    entry.values?.forEach((value, i) => held!.lists[i].push(value));
    chunk.chars += chars;
    this.granted.set(key, chunk.policy);
    return chunk.policy;
  }

  private newStatement(kind: GrantKind): { statement: iam.PolicyStatement; lists: string[][] } {
    const keys = kind.listedKeys ?? [];
    const lists = keys.map(() => [] as string[]);
    const conditions = keys.length === 0 ? kind.conditions : {
      ...kind.conditions,
      StringEquals: {
        ...kind.conditions?.StringEquals,
        // Filled by later grants: resolved when the template is written.
        ...Object.fromEntries(keys.map((k, i) => [k, Lazy.list({ produce: () => lists[i] })])),
      },
    };
    const statement = new iam.PolicyStatement({ actions: kind.actions, conditions, resources: kind.resources ?? [] });
    return { statement, lists };
  }

  private newChunk(): Chunk {
    const inline = this.describe.inline === true && this.chunks.length === 0;
    const managed = this.chunks.length - (this.describe.inline ? 1 : 0);
    if (managed >= MAX_MANAGED_POLICIES_PER_ROLE) {
      throw new Error(this.tooMany());
    }
    const policy = inline
      ? new iam.Policy(this.scope, `${this.idPrefix}Inline`, { roles: [this.role] })
      : new iam.ManagedPolicy(this.scope, `${this.idPrefix}${managed + 1}`, { description: this.describe.description, roles: [this.role] });
    this.describe.configure?.(policy);
    const chunk: Chunk = { policy, statements: new Map(), chars: 0, budget: inline ? INLINE_BUDGET_CHARS : POLICY_BUDGET_CHARS };
    this.chunks.push(chunk);
    return chunk;
  }
}
