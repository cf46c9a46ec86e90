import { SyntheticCheckFailedError } from '../shared/errors';
import { defineHandler } from '../shared/handler';
import { type SyntheticCheck, type SyntheticChecks } from '../shared/settings';
import { InputSchema, type Input } from './input';

/**
 * Run synthetic checks (docs/design.md#the-flow): requests through the production ALB carrying the synthetic
 * header, which the listener rule routes to the synthetic target group, where only the new version is
 * registered. Read-only towards AWS; a failure here aborts the deployment before production is touched (I2).
 */

export interface SyntheticChecksResult {
  passed: true;
  requests: number;
  slowestMs: number;
}

interface Failure {
  path: string;
  repetition: number;
  problems: string[];
}

/** Failures quoted in the error; the count covers the rest. */
const FAILURES_SHOWN = 3;

async function run({ syntheticChecks, amiId }: Input): Promise<SyntheticChecksResult> {
  const failures: Failure[] = [];
  let requests = 0;
  let slowestMs = 0;
  let repetitionsRun = 0;
  for (let repetition = 1; repetition <= syntheticChecks.repetitions; repetition += 1) {
    repetitionsRun = repetition;
    for (const check of syntheticChecks.checks) {
      const outcome = await probe(syntheticChecks, check, amiId);
      requests += 1;
      slowestMs = Math.max(slowestMs, outcome.latencyMs);
      if (outcome.problems.length > 0)
        failures.push({ path: check.path, repetition, problems: outcome.problems });
    }
    // Every check has had a full pass: further repetitions against a failing version would only run the
    // Lambda towards its timeout (each request may wait requestTimeoutMs).
    if (failures.length > 0) break;
  }

  if (failures.length > 0) {
    const stopped =
      repetitionsRun < syntheticChecks.repetitions
        ? ` (stopped after repetition ${repetitionsRun} of ${syntheticChecks.repetitions})`
        : '';
    const shown = failures
      .slice(0, FAILURES_SHOWN)
      .map(
        (failure) => `GET ${failure.path} (repetition ${failure.repetition}): ${failure.problems.join(', ')}`,
      )
      .join('; ');
    const more = failures.length > FAILURES_SHOWN ? `; and ${failures.length - FAILURES_SHOWN} more` : '';
    throw new SyntheticCheckFailedError(
      `Synthetic checks failed for ${amiId}: ${failures.length} of ${requests} requests to ` +
        `${syntheticChecks.endpoint} with header ${syntheticChecks.header.name} failed${stopped}. ` +
        `${shown}${more}. Check the new version's logs and health on the standby group's instances.`,
    );
  }
  return { passed: true, requests, slowestMs };
}

async function probe(
  settings: SyntheticChecks,
  check: SyntheticCheck,
  amiId: string,
): Promise<{ latencyMs: number; problems: string[] }> {
  const url = settings.endpoint.replace(/\/+$/, '') + check.path;
  const started = Date.now();
  const problems: string[] = [];
  try {
    const response = await fetch(url, {
      headers: { [settings.header.name]: settings.header.value },
      signal: AbortSignal.timeout(settings.requestTimeoutMs),
    });
    const body = await response.text();
    // Latency up to the whole body: what a user waits for, not only the first byte.
    const latencyMs = Date.now() - started;
    if (response.status !== check.expectedStatus) {
      problems.push(`expected status ${check.expectedStatus}, got ${response.status}`);
    }
    if (check.bodyIncludes !== undefined && !body.includes(check.bodyIncludes)) {
      problems.push(
        `expected the body to include ${JSON.stringify(check.bodyIncludes)}, got ${excerpt(body)}`,
      );
    }
    if (latencyMs > check.maxLatencyMs) {
      problems.push(`expected an answer within ${check.maxLatencyMs} ms, took ${latencyMs} ms`);
    }
    if (settings.versionHeader !== undefined) {
      const served = response.headers.get(settings.versionHeader);
      if (served !== amiId) {
        problems.push(
          `expected header ${settings.versionHeader}: ${amiId} (proof the new version answered), got ` +
            (served === null ? 'no such header' : JSON.stringify(served)),
        );
      }
    }
    return { latencyMs, problems };
  } catch (error) {
    const latencyMs = Date.now() - started;
    problems.push(describeNetworkError(error, settings.requestTimeoutMs));
    return { latencyMs, problems };
  }
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  const shape = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (shape.name === 'TimeoutError' || shape.name === 'AbortError') {
    return `expected a response, got none within ${timeoutMs} ms`;
  }
  const cause = shape.cause?.code ?? shape.cause?.message;
  return `expected a response, got a network error: ${shape.message ?? String(error)}${cause ? ` (${cause})` : ''}`;
}

function excerpt(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  if (flat === '') return 'an empty body';
  return JSON.stringify(flat.length > 80 ? `${flat.slice(0, 80)}…` : flat);
}

export const handler = defineHandler('run-synthetic-checks', InputSchema, run);
