import '../cli/node-warnings'; // first: silences the SDK's Node-version notice before any client exists
import '../simulator/engine/polyfills';
import { passed, simulate, type SimulationReport } from '../simulator/engine/simulation';
import { SCENARIOS } from '../simulator/scenarios/catalog';
import type { SimulationOptions } from '../simulator/scenarios/options';
import { alarmRollbackFailed, measureAlarmRollback, printAlarmRollbackTable } from './alarm-rollback';
import { measureShippedAssets, printAssetTable } from './assets';
import { measureStartup, printStartupTable, startupFailed } from './startup';
import { measureTestSuite, printTestSuiteTable, testSuiteFailed } from './test-suite';

/**
 * `npm run bench`: the speed and scale figures the tests do not assert. Every scenario once (real time,
 * virtual time, work and Step Functions cost), then fleet sizes from 10 to 1,000 instances (what grows with
 * the fleet and what must not: state transitions and payload size, I7 in docs/design.md#invariants), then how
 * fast an alarm rolls a bad version back against an instance refresh (./alarm-rollback.ts), then the shipped
 * assets: each step's bundle and source map size and its cold module-load time as Lambda loads it, then how
 * long `npm run simulate` and `npx cdk synth` take in a new process, cold and warm, and what `npm test` costs
 * (`--skip-tests` leaves that out: it takes a minute).
 */
const TRANSITION_PRICE_USD = 0.025 / 1000;

interface Row {
  name: string;
  report: SimulationReport;
}

async function measure(name: string, options: SimulationOptions): Promise<Row> {
  return { name, report: await simulate(options) };
}

function table(title: string, rows: Row[]): void {
  process.stdout.write(`\n${title}\n`);
  const header = [
    'case',
    'result',
    'real ms',
    'synth ms',
    'virtual',
    'x real time',
    'transitions',
    'lambdas',
    'AWS calls',
    'payload B',
    'SFN $',
  ];
  const lines = rows.map(({ name, report }) => {
    const simulationMs = Math.max(1, report.realMs - report.synthesisMs);
    return [
      name,
      `${passed(report) ? 'ok' : 'FAIL'} ${report.outcome}`,
      String(report.realMs),
      String(report.synthesisMs),
      `${Math.round(report.simulatedSeconds / 60)} min`,
      String(Math.round((report.simulatedSeconds * 1000) / simulationMs)),
      String(report.stateTransitions),
      String(report.lambdaInvocations),
      String(report.apiCalls.total),
      String(report.maxPayloadBytes),
      (report.stateTransitions * TRANSITION_PRICE_USD).toFixed(4),
    ];
  });
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...lines.map((line) => line[column].length)),
  );
  for (const line of [header, ...lines]) {
    process.stdout.write(`  ${line.map((cell, column) => cell.padEnd(widths[column])).join('  ')}\n`);
  }
}

async function main(): Promise<void> {
  process.stdout.write(
    'Blue/green deployment benchmarks (virtual time; real time measured on this machine)\n',
  );
  const scenarios: Row[] = [];
  for (const scenario of SCENARIOS)
    scenarios.push(await measure(scenario.name, { scenario: scenario.name, seed: 1 }));
  table('Named scenarios (synth ms: the workflow synthesized in-process, or read from its cache)', scenarios);

  const fleets: Row[] = [];
  for (const instances of [10, 100, 500, 1000]) {
    fleets.push(await measure(`${instances} instances`, { scenario: 'happy', seed: 1, instances }));
  }
  table('Fleet size (happy path, 60-minute window)', fleets);
  process.stdout.write(
    '\n  Auto Scaling calls by fleet size (EnterStandby/ExitStandby take at most 20 instances a call):\n',
  );
  for (const { name, report } of fleets) {
    const calls = report.apiCalls.byOperation;
    process.stdout.write(
      `    ${name.padEnd(14)} EnterStandby ${calls['autoscaling:EnterStandby'] ?? 0}, ExitStandby ${calls['autoscaling:ExitStandby'] ?? 0}, DescribeAutoScalingGroups ${calls['autoscaling:DescribeAutoScalingGroups'] ?? 0}\n`,
    );
  }

  const windows: Row[] = [];
  for (const windowMinutes of [0, 60, 240]) {
    windows.push(await measure(`${windowMinutes}-min window`, { scenario: 'happy', seed: 1, windowMinutes }));
  }
  table('Rollback window length (the history grows with the window, not with the fleet)', windows);

  const alarmRollback = await measureAlarmRollback();
  printAlarmRollbackTable(alarmRollback);

  let assetsFailed = false;
  try {
    printAssetTable(measureShippedAssets());
  } catch (error) {
    process.stdout.write(
      `\nShipped step assets: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    assetsFailed = true;
  }

  const startup = measureStartup();
  printStartupTable(startup);

  const failed = [...scenarios, ...fleets, ...windows].filter(({ report }) => !passed(report));
  if (failed.length > 0) {
    process.stdout.write(
      `\n${failed.length} case(s) did not end as expected: ${failed.map(({ name }) => name).join(', ')}\n`,
    );
    process.exitCode = 1;
  }
  const testSuite = process.argv.includes('--skip-tests') ? undefined : measureTestSuite();
  if (testSuite) printTestSuiteTable(testSuite);

  if (
    assetsFailed ||
    alarmRollbackFailed(alarmRollback) ||
    startupFailed(startup) ||
    (testSuite && testSuiteFailed(testSuite))
  )
    process.exitCode = 1;
}

void main();
