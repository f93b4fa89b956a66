/**
 * A request quota as AWS enforces one: a bucket of `perSecond` tokens (a second's worth of burst),
 * refilled continuously; a request that finds it empty is throttled.
 */
export class TokenBucket {
  private tokens: number;
  private at = Date.now();

  constructor(private perSecond: number) {
    this.tokens = perSecond;
  }

  /** Starts over with a full bucket at another rate. */
  public setRate(perSecond: number): void {
    this.perSecond = perSecond;
    this.tokens = perSecond;
    this.at = Date.now();
  }

  /** Takes one request's token; false when the quota is used up. */
  public take(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.at) / 1000) * this.perSecond);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
