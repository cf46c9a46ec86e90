import * as FakeTimers from '@sinonjs/fake-timers';

type InstalledClock = ReturnType<typeof FakeTimers.install>;

/**
 * One virtual clock for everything that tells time: Wait states and retry back-off (setTimeout inside
 * aws-local-stepfunctions), the handlers' deadlines and the simulated account (Date.now()). Advancing it
 * runs due timers and the promise jobs they start, so an in-process Lambda call completes inside one step.
 */
export class VirtualClock {
  private readonly clock: InstalledClock;
  readonly startedAt: number;

  constructor(start: number) {
    this.clock = FakeTimers.install({
      now: start,
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
      shouldClearNativeTimers: true,
    });
    this.startedAt = start;
  }

  now(): number {
    return this.clock.now;
  }

  /** Seconds of simulated time since the clock was installed. */
  elapsedSeconds(): number {
    return (this.clock.now - this.startedAt) / 1000;
  }

  /** Lets pending promise jobs (an in-process Lambda call) run without moving time. */
  async settle(): Promise<void> {
    await this.clock.tickAsync(0);
  }

  async advance(milliseconds: number): Promise<void> {
    await this.clock.tickAsync(milliseconds);
  }

  uninstall(): void {
    this.clock.uninstall();
  }
}
