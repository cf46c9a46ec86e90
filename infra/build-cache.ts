import type { Hash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The project's root folder. */
export const ROOT = path.join(__dirname, '..');

/**
 * Where what is built from the sources is kept between runs (the steps' bundles for `cdk synth` and for
 * the simulation, the simulation's synthesized workflows), each entry keyed by a hash of what it is built
 * from. Inside node_modules: never committed, and `npm ci` (or `rm -rf node_modules/.cache`) clears it.
 * `ASG_BLUE_GREEN_CACHE_DIR` puts it elsewhere (`npm run bench` measures cold starts with an empty one); the
 * simulation's bundles require the project's AWS SDK, so it must be inside the project's node_modules.
 */
export const CACHE_ROOT =
  process.env.ASG_BLUE_GREEN_CACHE_DIR !== undefined
    ? path.resolve(process.env.ASG_BLUE_GREEN_CACHE_DIR)
    : path.join(ROOT, 'node_modules', '.cache', 'asg-blue-green');

/** Every file under `dir`, sorted by path, so that a hash over them does not depend on the file system. */
export function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) =>
      entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
    );
}

/** Adds each file's project-relative path and contents to `hash`. */
export function hashFiles(hash: Hash, files: readonly string[]): Hash {
  for (const file of files) {
    hash.update(path.relative(ROOT, file));
    hash.update('\0');
    hash.update(fs.readFileSync(file));
    hash.update('\0');
  }
  return hash;
}

/**
 * Writes `file` so that a reader sees either nothing or the whole content: written aside, then renamed
 * (a rename within a folder is atomic). Parallel test workers may write the same entry at once; the last
 * rename wins, with the same content.
 */
export function writeFileAtomically(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Writes are synchronous: within a process no two can overlap, so the process id tells them apart.
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temporary, content);
    fs.renameSync(temporary, file);
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

/** Marks a cache entry as just used (entries are pruned least recently used first). */
export function touch(entry: string): void {
  const now = new Date();
  try {
    fs.utimesSync(entry, now, now);
  } catch {
    // pruned meanwhile by another process: it was read already
  }
}

/**
 * Removes the least recently used entries of a cache folder beyond the newest `keep`. Entries still being
 * written (`.tmp`, `.building`) are left alone; an entry removed while another process reads it is only
 * built again.
 */
export function pruneEntries(dir: string, keep: number): void {
  let entries: { file: string; used: number }[];
  try {
    entries = fs
      .readdirSync(dir)
      .filter((name) => !name.endsWith('.tmp') && !name.endsWith('.building'))
      .map((name) => ({ file: path.join(dir, name), used: fs.statSync(path.join(dir, name)).mtimeMs }));
  } catch {
    return; // another process pruned the same entry meanwhile
  }
  entries.sort((a, b) => b.used - a.used);
  for (const { file } of entries.slice(keep)) fs.rmSync(file, { recursive: true, force: true });
}
