import { HandlerError } from './errors';

/** Kept free for answering CloudFormation (or logging the rotation's failure) after the AWS calls. */
const RESERVE_MS = 5000;

/** A call that did not answer by the deadline; the caller names the call. */
export class DeadlineExceeded extends HandlerError {
  constructor(ms: number) {
    super(`did not answer within the handler's deadline (${Math.round(ms / 1000)} s)`);
    this.name = 'DeadlineExceeded';
  }
}

/**
 * A point in time by which the handler's AWS calls must have answered, derived from the Lambda's
 * remaining time so that a hanging endpoint never outlives the invocation.
 */
export class Deadline {
  public static fromRemaining(remainingMs: number): Deadline {
    return new Deadline(Date.now() + Math.max(0, remainingMs - RESERVE_MS));
  }

  private constructor(private readonly at: number) {}

  public remainingMs(): number {
    return Math.max(0, this.at - Date.now());
  }

  /**
   * Runs a call with an abort signal that fires at the deadline, and gives up on it at the
   * deadline even if the call does not honour the signal (then it rejects with `DeadlineExceeded`).
   */
  public async run<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const ms = this.remainingMs();
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new DeadlineExceeded(ms));
      }, ms);
    });
    try {
      return await Promise.race([call(controller.signal), expired]);
    } catch (err) {
      if (controller.signal.aborted) {
        throw new DeadlineExceeded(ms);
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}
