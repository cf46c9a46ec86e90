import { EXIT_CODES, type CliOutcome } from './exit-codes';

/** What each outcome means, for `--help` and the exit-code table in docs/operations.md (test/cli/exit-codes.test.ts). */
export const EXIT_MEANINGS: Record<CliOutcome, string> = {
  succeeded: 'the deployment succeeded; any command that did its job',
  'already-serving': 'the AMI already serves, healthy: nothing to do',
  shifted: 'with `--until shifted`: traffic has shifted, the rollback window goes on',
  error: 'the command could not do its job: AWS failed or refused, nothing to act on',
  'usage-error': 'the command line is wrong; no AWS call was made',
  rejected: 'the deployment was rejected: nothing changed',
  aborted: 'aborted before the shift: production untouched',
  'rolled-back': 'rolled back: the old version serves again',
  'manual-action-needed': 'a clean-up failed: an operator must act',
  'kept-serving': 'a first deployment failed its window and, with nothing to return to, still serves',
  'timed-out': 'the execution reached its timeout: no clean-up ran',
  stopped: 'the execution was stopped (`StopExecution`): no clean-up ran',
  skipped: 'not an AMI of this application: nothing changed',
  'still-running': 'with `--timeout`: the time ran out, the deployment goes on',
};

export const EXIT_TABLE_HINT = `Exit codes: ${Object.entries(EXIT_CODES)
  .sort(([, a], [, b]) => a - b)
  .map(([outcome, code]) => `${code} ${outcome}`)
  .join(', ')}.`;
