/**
 * The AWS SDK warns, once per process, that its releases after January 2027 will need Node 22. The
 * lockfile pins today's SDK and the Lambdas run on Node 22, so on a Node 20 workstation the notice only
 * alarms; every other warning is still printed as Node would.
 */
export function hideSdkNodeVersionNotice(): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    // Emitted as a plain Warning whose message starts with the notice's name.
    if (warning.message.startsWith('NodeVersionSupportWarning')) return;
    process.stderr.write(`(node:${process.pid}) ${warning.name}: ${warning.message}\n`);
  });
}
