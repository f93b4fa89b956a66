import { HandlerError } from './errors';

/** Kept free for answering CloudFormation (or logging the rotation's failure) after the AWS calls. */
const RESERVE_MS = 5000;

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
   * Runs an AWS call with an abort signal that fires at the deadline, and gives up on it at the
   * deadline even if the client does not honour the signal.
   */
  public async run<T>(what: string, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const ms = this.remainingMs();
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new HandlerError(`${what} did not answer within the handler's deadline (${Math.round(ms / 1000)} s)`));
      }, ms);
    });
    try {
      return await Promise.race([call(controller.signal), expired]);
    } catch (err) {
      if (controller.signal.aborted) {
        throw new HandlerError(`${what} did not answer within the handler's deadline (${Math.round(ms / 1000)} s)`);
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}
