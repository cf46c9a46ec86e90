/**
 * How much an instance can serve: each instance works through `capacityPerInstance` requests a simulated
 * second; requests beyond that wait in its queue, which carries over from second to second, and a request
 * that would wait longer than `maxQueueSeconds` is refused at once with a 503 (the application sheds load).
 *
 * The curve (docs/simulation-guide.md#load-and-capacity): below capacity nothing changes (the version's own
 * latency); at a sustained load of L > C requests a second the queue grows by L − C every second, so the
 * wait, queue ÷ C seconds, rises by (L − C) ÷ C every second until it reaches `maxQueueSeconds`, and from
 * then on the share (L − C) ÷ L of the requests is refused. This is a model of a server's work queue, not
 * of anything AWS documents: AWS runs the application, it does not model it.
 */

/** The defaults keep every scenario's 10 requests a second on 3 instances far below capacity. */
export const DEFAULT_CAPACITY = {
  /** Requests per second one instance serves without queueing. */
  capacityPerInstance: 50,
  /** The longest a request waits in an instance's queue before the application refuses it. */
  maxQueueSeconds: 5,
} as const;

export interface CapacitySettings {
  /** Requests per second one instance serves without queueing (default 50). */
  capacityPerInstance?: number;
  /** A request that would wait longer than this is answered 503 at once (default 5 s). */
  maxQueueSeconds?: number;
}

/** What the instance does with one request: serve it after waiting `waitMs`, or refuse it. */
export interface Admission {
  waitMs: number;
  refused: boolean;
  /** The request arrived while the instance had more work than it serves in a second. */
  overCapacity: boolean;
}

interface InstanceLoad {
  /** The simulated second (ms / 1000, floored) that `accepted` counts. */
  second: number;
  /** Requests queued from earlier seconds, not yet served. */
  backlog: number;
  accepted: number;
  /** Share of capacity used in the last whole second, 0–1 (CPU utilization). */
  busy: number;
}

const UNLOADED: Admission = { waitMs: 0, refused: false, overCapacity: false };

export class InstanceLoads {
  private readonly loads = new Map<string, InstanceLoad>();

  /** One request for the instance at `now`, whose capacity is `capacity` requests a second. */
  admit(instanceId: string, now: number, capacity: number, maxQueueSeconds: number): Admission {
    const load = this.settled(instanceId, now, capacity);
    const ahead = load.backlog + load.accepted;
    if (ahead < capacity) {
      load.accepted++;
      return UNLOADED;
    }
    // Work beyond what this second serves waits: its share of the queue ahead, at `capacity` a second.
    const waitSeconds = (ahead + 1 - capacity) / capacity;
    if (waitSeconds > maxQueueSeconds) return { waitMs: 0, refused: true, overCapacity: true };
    load.accepted++;
    return { waitMs: Math.round(waitSeconds * 1000), refused: false, overCapacity: true };
  }

  /** Percentage of its capacity the instance used in the last whole second (0 when it served nothing). */
  utilization(instanceId: string, now: number, capacity: number): number {
    if (!this.loads.has(instanceId)) return 0;
    return this.settled(instanceId, now, capacity).busy * 100;
  }

  forget(instanceId: string): void {
    this.loads.delete(instanceId);
  }

  /** The instance's load brought up to the second of `now`: the seconds since served what they could. */
  private settled(instanceId: string, now: number, capacity: number): InstanceLoad {
    const second = Math.floor(now / 1000);
    let load = this.loads.get(instanceId);
    if (!load) {
      load = { second, backlog: 0, accepted: 0, busy: 0 };
      this.loads.set(instanceId, load);
      return load;
    }
    if (load.second === second) return load;
    const work = load.backlog + load.accepted;
    const served = Math.min(work, capacity);
    const idleSeconds = second - load.second - 1;
    const left = work - served;
    load.backlog = Math.max(0, left - idleSeconds * capacity);
    // The last whole second was busy with what was left, or with the second that ended when none was idle.
    load.busy =
      idleSeconds > 0
        ? Math.min(1, Math.max(0, left - (idleSeconds - 1) * capacity) / capacity)
        : served / capacity;
    load.accepted = 0;
    load.second = second;
    return load;
  }
}
