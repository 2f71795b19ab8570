/**
 * What the simulation plays of a cluster's controllers (a CSI provisioner, AKS's service
 * controller) runs as a pass over the API every few hundred milliseconds: one pass at a time, and a
 * failed pass (the API server busy or stopping) is retried by the next, its error kept for reports.
 */
export abstract class PollingController {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  /** The last error of a pass, if any. */
  lastError: string | undefined;

  /** @param intervalMs time between passes. @default 300 */
  start(intervalMs = 300): void {
    this.timer = setInterval(() => void this.tick(), intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass, unless one is still running. */
  async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await this.pass();
    } catch (e) {
      this.lastError = e instanceof Error ? e.message : String(e);
    } finally {
      this.busy = false;
    }
  }

  protected abstract pass(): Promise<void>;
}
