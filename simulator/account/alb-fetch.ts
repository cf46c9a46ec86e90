/** `fetch` for the steps and the traffic: it reaches only the simulated ALB (there is no network). */
import type { SimulatedLoadBalancer } from './load-balancer';

export async function fetchThroughAlb(
  alb: SimulatedLoadBalancer,
  syntheticTargetGroupArn: string,
  input: string | URL | Request,
  init?: RequestInit,
): Promise<Response> {
  const request = input instanceof Request ? input : undefined;
  const url = new URL(request ? request.url : input.toString());
  if (init?.signal?.aborted) throw init.signal.reason;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError('fetch failed', {
      cause: new Error(`The simulated account has no network route to ${url.href}`),
    });
  }
  if (url.hostname.toLowerCase() !== alb.dnsName.toLowerCase()) {
    // As Node's fetch reports a name that does not resolve: "fetch failed", caused by getaddrinfo ENOTFOUND.
    throw new TypeError('fetch failed', {
      cause: Object.assign(
        new Error(
          `getaddrinfo ENOTFOUND ${url.hostname} (the simulated account has no network route to ${url.href})`,
        ),
        { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: url.hostname },
      ),
    });
  }
  const headers = new Headers(request?.headers);
  new Headers(init?.headers).forEach((value, key) => headers.set(key, value));
  const plain: Record<string, string> = {};
  headers.forEach((value, key) => (plain[key] = value));
  const synthetic = alb.targetGroupFor(plain) === syntheticTargetGroupArn;
  const answer = alb.request({
    path: url.pathname + url.search,
    headers: plain,
    kind: synthetic ? 'synthetic' : 'user',
  });
  const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
  return new Response(method === 'HEAD' ? null : answer.body, {
    status: answer.status,
    // Virtual time does not pass during a call, so the response carries the latency it would have had.
    headers: { ...answer.headers, 'server-timing': `app;dur=${answer.latencyMs}` },
  });
}
