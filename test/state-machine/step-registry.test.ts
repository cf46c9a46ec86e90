import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { STEP_NAMES } from '../../state-machine/step-registry';

const ROOT = path.join(__dirname, '..', '..');
const LAMBDAS = path.join(ROOT, 'lambdas');

describe('the step registry', () => {
  it('names every handler folder, and only those', () => {
    const folders = fs
      .readdirSync(LAMBDAS, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== 'shared')
      .map((entry) => entry.name);
    expect([...STEP_NAMES].sort()).toEqual(folders.sort());
    for (const step of STEP_NAMES) {
      expect(fs.existsSync(path.join(LAMBDAS, step, 'handler.ts'))).toBe(true);
      expect(fs.existsSync(path.join(LAMBDAS, step, 'input.ts'))).toBe(true);
    }
  });

  it('loads (with the contract and the handlers’ input schemas) neither aws-cdk-lib nor an AWS SDK client', () => {
    // A process of its own: jest's module registry does not show what a module loads.
    const script = `
      for (const module of ['./state-machine/step-registry', './lambdas/shared/contract', './lambdas/launch-new-version/input', './lambdas/report-outcome/input']) require(module);
      console.log(JSON.stringify(Object.keys(require.cache)));`;
    const loaded = JSON.parse(
      execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8' }),
    ) as string[];
    expect(loaded.some((file) => file.includes('zod'))).toBe(true);
    expect(loaded.filter((file) => /node_modules[\\/](aws-cdk-lib|@aws-sdk)[\\/]/.test(file))).toEqual([]);
  });
});
