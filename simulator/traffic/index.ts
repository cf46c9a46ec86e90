export {
  DEFAULT_LATENCY_BOUND_MS,
  TrafficGenerator,
  type TrafficFailure,
  type TrafficGeneratorOptions,
  type TrafficStats,
} from './traffic-generator';
export { peakRate, rateAt, type TrafficProfile } from './profiles';
export { trafficSteps, type ServedPerSecond, type StateEntry, type TrafficStep } from './traffic-steps';
