import { Logger } from '@aws-lambda-powertools/logger';
import { SERVICE_NAME } from './contract/errors';

/** One logger per Lambda container; the service name groups every step's logs in CloudWatch Logs Insights. */
export const logger = new Logger({ serviceName: SERVICE_NAME });
