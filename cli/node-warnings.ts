/**
 * The AWS SDK warns, once per process, that its releases after January 2027 will need Node 22. The
 * lockfile pins today's SDK and the Lambdas run on Node 22, so on a Node 20 workstation the notice only
 * alarms. The SDK's documented switch turns it off (aws/aws-sdk-js-v3 issue 7983: set
 * AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true; read by emitWarningIfUnsupportedVersion in
 * @aws-sdk/core when a client is created): set here, it reaches this process and every child it starts;
 * every other warning is printed as Node would. An operator who set the variable keeps their value.
 */
export function hideSdkNodeVersionNotice(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

// Every entry point imports this module first: modules it imports next may create a client as they load
// (lambdas/shared/aws/ does), before any statement of the entry point itself runs.
hideSdkNodeVersionNotice();
