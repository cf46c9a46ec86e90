/**
 * EventBridge as the orchestrator uses it: PutEvents on the account's default event bus, each event recorded
 * so that tests and scenarios can read what was put, and the events AWS services send to that bus. The
 * limits, answers and error codes are AWS's (docs/aws-facts/eventbridge.md); every event the bus accepts is
 * matched against its rules (event-rules.ts).
 */
import {
  PutEventsCommand,
  type PutEventsRequestEntry,
  type PutEventsResultEntry,
} from '@aws-sdk/client-eventbridge';
import { constraintMessage, serviceError, tooManyMessage } from './errors';
import { EventRules, type BusEvent } from './event-rules';
import type { Random } from './random';
import { route, type Route } from './router';

/** An event the default bus accepted, as a rule would see it. */
export interface PublishedEvent {
  id: string;
  source: string;
  detailType: string;
  /** The entry's Detail, parsed (it must be a JSON object). */
  detail: Record<string, unknown>;
  resources: string[];
  /** The entry's Time, or when the bus received it (ISO 8601). */
  time: string;
}

/** Per-entry error codes EventBridge may answer with (API reference, PutEventsResultEntry). */
export type EntryErrorCode =
  | 'InternalFailure'
  | 'ThrottlingException'
  | 'InvalidArgument'
  | 'MalformedDetail'
  | 'NotAuthorizedForSourceException';

/** PutEvents API reference: Entries has 1 to 10 items. */
export const MAX_ENTRIES = 10;
/** PutEvents API reference: an entry, and the request's entries together, at most 256 KB. */
export const MAX_ENTRIES_BYTES = 256 * 1024;
/** "Calculating PutEvents event entry size": a Time counts 14 bytes. */
const TIME_BYTES = 14;

const DEFAULT_BUS = 'default';

export interface EventBridgeOptions {
  readonly region: string;
  readonly accountId: string;
  readonly ids: Random;
  readonly now: () => number;
  /** For tests: the code this entry of the `call`th PutEvents call fails with (false: it is put). */
  readonly failEntry?: (call: number, index: number) => false | EntryErrorCode;
}

/** The ARN of the event bus an entry names (by name or ARN; none: the default bus), for IAM and errors. */
export function eventBusArn(name: string | undefined, region: string, accountId: string): string {
  if (name?.startsWith('arn:')) return name;
  return `arn:aws:events:${region}:${accountId}:event-bus/${name ?? DEFAULT_BUS}`;
}

/** An entry's size as EventBridge counts it ("Calculating PutEvents event entry size"). */
export function entrySize(entry: PutEventsRequestEntry): number {
  const bytes = (text: string | undefined) => (text === undefined ? 0 : Buffer.byteLength(text, 'utf8'));
  return (
    (entry.Time === undefined ? 0 : TIME_BYTES) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((total, resource) => total + bytes(resource), 0)
  );
}

const validation = (message: string): Error => serviceError('events', 'ValidationException', message);

/** What an AWS service sends to the default bus (the bus adds the id, account, region and time). */
export interface ServiceEvent {
  readonly source: string;
  readonly detailType: string;
  readonly resources: readonly string[];
  readonly detail: Readonly<Record<string, unknown>>;
}

export class EventBridge {
  readonly published: PublishedEvent[] = [];
  /** The events AWS services sent to the default bus, in order. */
  readonly serviceEvents: BusEvent[] = [];
  readonly rules: EventRules;
  private calls = 0;

  constructor(private readonly options: EventBridgeOptions) {
    this.rules = new EventRules(options);
  }

  /**
   * An AWS service sends an event to the account's default bus (e.g. "EC2 AMI State Change"): it is kept and
   * matched against the bus's rules. AWS delivers such events on a best-effort basis; here every one arrives.
   */
  emit(event: ServiceEvent): BusEvent {
    const received = this.envelope(this.options.ids.uuid(), event, this.options.now());
    this.serviceEvents.push(received);
    this.rules.route(received);
    return received;
  }

  /** The event as rules see it ("Amazon EventBridge events": the top-level fields every event has). */
  private envelope(id: string, event: ServiceEvent, time: number): BusEvent {
    return {
      version: '0',
      id,
      'detail-type': event.detailType,
      source: event.source,
      account: this.options.accountId,
      // Events carry their time to the second (e.g. "2024-01-18T17:50:56Z").
      time: new Date(Math.floor(time / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
      region: this.options.region,
      resources: [...event.resources],
      detail: structuredClone(event.detail),
    };
  }

  routes(): Route[] {
    return [route(PutEventsCommand, (input) => this.putEvents(input.Entries ?? []))];
  }

  private putEvents(entries: PutEventsRequestEntry[]) {
    // A request outside the model's constraints is refused whole, as the SDK's service answers it.
    if (entries.length < 1) {
      throw validation(
        constraintMessage('[]', 'entries', 'Member must have length greater than or equal to 1'),
      );
    }
    if (entries.length > MAX_ENTRIES) {
      throw validation(
        tooManyMessage(
          entries.map((entry) => entry.DetailType ?? ''),
          'entries',
          MAX_ENTRIES,
        ),
      );
    }
    if (entries.reduce((total, entry) => total + entrySize(entry), 0) > MAX_ENTRIES_BYTES) {
      throw validation('Total size of the entries in the request is over the limit.');
    }
    const call = ++this.calls;
    // Entries are taken in order, each on its own: one failing leaves the others put.
    const results = entries.map((entry, index) => this.putEntry(entry, call, index));
    return {
      FailedEntryCount: results.filter((result) => result.ErrorCode !== undefined).length,
      Entries: results,
    };
  }

  private putEntry(entry: PutEventsRequestEntry, call: number, index: number): PutEventsResultEntry {
    const injected = this.options.failEntry?.(call, index);
    if (injected) return failed(injected, `Simulated ${injected}.`);
    if (!entry.Source)
      return failed(
        'InvalidArgument',
        'Parameter Source is not valid. Reason: Source is a required argument.',
      );
    if (!entry.DetailType) {
      return failed(
        'InvalidArgument',
        'Parameter DetailType is not valid. Reason: DetailType is a required argument.',
      );
    }
    if (entry.Detail === undefined) {
      return failed(
        'InvalidArgument',
        'Parameter Detail is not valid. Reason: Detail is a required argument.',
      );
    }
    // The `aws.` prefix is reserved to AWS services (PutEventsRequestEntry, Source).
    if (entry.Source.startsWith('aws.')) {
      return failed('NotAuthorizedForSourceException', 'Not authorized for the source.');
    }
    const { region, accountId } = this.options;
    const bus = entry.EventBusName ?? DEFAULT_BUS;
    if (bus !== DEFAULT_BUS && bus !== eventBusArn(undefined, region, accountId)) {
      return failed('InvalidArgument', `Event bus ${bus} does not exist.`);
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      detail = undefined;
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
      return failed('MalformedDetail', 'Detail is malformed.');
    }
    const id = this.options.ids.uuid();
    const published: PublishedEvent = {
      id,
      source: entry.Source,
      detailType: entry.DetailType,
      detail: detail as Record<string, unknown>,
      resources: [...(entry.Resources ?? [])],
      time: new Date(entry.Time?.getTime() ?? this.options.now()).toISOString(),
    };
    this.published.push(published);
    // Events put on the default bus meet its rules like those of AWS services.
    this.rules.route(this.envelope(id, published, Date.parse(published.time)));
    return { EventId: id };
  }
}

function failed(code: EntryErrorCode, message: string): PutEventsResultEntry {
  return { ErrorCode: code, ErrorMessage: message };
}
