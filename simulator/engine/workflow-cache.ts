import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ConfiguredProps } from '../../infra/props';
import type { StepName } from '../../state-machine/step-registry';
import type { Principal } from '../account/iam/principal';
import {
  CACHE_ROOT,
  filesUnder,
  hashFiles,
  pruneEntries,
  ROOT,
  touch,
  writeFileAtomically,
} from '../../infra/build-cache';
import { definitionValidated, validateDefinition } from './step-functions-service';
import type { SynthesizedWorkflow } from './synthesize';

/**
 * Synthesized workflows, one file per configuration: `<key>.json`, the key a hash of the configuration and of
 * every source synthesis reads. Synthesizing takes seconds (loading aws-cdk-lib alone takes one or two);
 * reading an entry back takes milliseconds and loads no CDK at all.
 */
export const WORKFLOW_CACHE = path.join(CACHE_ROOT, 'workflows');
/** Entries kept: every configuration the tests and the scenarios synthesize, several source versions over. */
const KEEP_ENTRIES = 200;
/** Bumped when the entry's shape changes. */
const FORMAT = 3;

/**
 * What the synthesized workflow is made of: the CDK app (`infra/`), the definition (`state-machine/`), the
 * settings, errors and retry policy they import (`lambdas/shared/`), the code that resolves the template into
 * the workflow (here), and the lockfile (aws-cdk-lib, and the validator the cached definitions passed). The
 * step handlers are not: they are bundled and cached apart (handlers.ts). A test checks that every module
 * synthesis imports is one of these.
 */
export function workflowSources(): string[] {
  return [
    ...['infra', 'state-machine', path.join('lambdas', 'shared')].flatMap((dir) =>
      filesUnder(path.join(ROOT, dir)),
    ),
    ...[
      'synthesize.ts',
      'resolve-definition.ts',
      'step-roles.ts',
      'synthesized-rules.ts',
      'hook-task-states.ts',
      'workflow-cache.ts',
    ].map((file) => path.join(__dirname, file)),
    path.join(ROOT, 'package-lock.json'),
  ];
}

let sourcesDigest: string | undefined;

/** The cache key of a configuration's workflow. */
export function workflowKey(deployment: ConfiguredProps, region: string, accountId: string): string {
  sourcesDigest ??= hashFiles(createHash('sha256'), workflowSources()).digest('hex');
  return createHash('sha256')
    .update(JSON.stringify({ FORMAT, deployment, region, accountId, sources: sourcesDigest }))
    .digest('hex')
    .slice(0, 24);
}

/** A workflow as JSON: its Maps as arrays of entries (a test checks that an entry reads back equal). */
type Entry = Omit<SynthesizedWorkflow, 'stepByState' | 'principals'> & {
  stepByState: [string, StepName][];
  principals: [StepName, Principal][];
};

const inMemory = new Map<string, SynthesizedWorkflow>();

/**
 * The workflow of a configuration: from this process's memory, else from the cache on disk, else synthesized
 * (and validated) then cached. aws-cdk-lib is loaded only to synthesize.
 */
export function cachedWorkflow(
  deployment: ConfiguredProps,
  region: string,
  accountId: string,
): SynthesizedWorkflow {
  const key = workflowKey(deployment, region, accountId);
  const known = inMemory.get(key);
  if (known) return known;
  const file = path.join(WORKFLOW_CACHE, `${key}.json`);
  let workflow = readEntry(file);
  if (!workflow) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loads aws-cdk-lib: only on a cache miss
    const { synthesizeWorkflow } = require('./synthesize') as typeof import('./synthesize');
    workflow = synthesizeWorkflow(deployment, region, accountId);
    const entry: Entry = {
      ...workflow,
      stepByState: [...workflow.stepByState],
      principals: [...workflow.principals],
    };
    // Serialized before validation, which fills in defaults (QueryLanguage) in the definition it checks.
    const content = JSON.stringify(entry);
    validateDefinition(workflow.asl);
    writeFileAtomically(file, content);
    pruneEntries(WORKFLOW_CACHE, KEEP_ENTRIES);
  }
  inMemory.set(key, workflow);
  return workflow;
}

function readEntry(file: string): SynthesizedWorkflow | undefined {
  let entry: Entry;
  try {
    entry = JSON.parse(fs.readFileSync(file, 'utf8')) as Entry;
  } catch {
    return undefined; // absent (or unreadable: synthesized again and rewritten)
  }
  touch(file);
  // Written only after the definition passed validation (see validateDefinition).
  definitionValidated(entry.asl);
  return { ...entry, stepByState: new Map(entry.stepByState), principals: new Map(entry.principals) };
}
