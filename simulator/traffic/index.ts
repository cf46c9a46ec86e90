export {
  TrafficGenerator,
  type TrafficFailure,
  type TrafficGeneratorOptions,
  type TrafficStats,
} from './traffic-generator';
