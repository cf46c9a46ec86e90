export { SimulatedAccount, type AccountOptions, type AccountSnapshot, type FaultOptions } from './account';
export * from './environment';
export type { AlbOutcome, AlbRequest, AlbResponse, SimulatedLoadBalancer } from './load-balancer';
export type { PublishedMessage } from './sns';
export type { PublishedEvent } from './eventbridge';
export { TIMINGS } from './auto-scaling-group';
export { REGISTRATION_SECONDS } from './target-groups';
