/** Length limits of the Step Functions API's request members, shared by its operations. */
import { constraintMessage, serviceError } from './errors';

/**
 * The length limits of the API's shapes: SensitiveError (error, up to 256), SensitiveCause (cause, up to
 * 32,768) and SensitiveData (input and output, up to 262,144 bytes of UTF-8); a longer value is a
 * ValidationException (API_StopExecution, API_SendTaskFailure, API_SendTaskSuccess, API_StartExecution:
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_StopExecution.html).
 */
export const MAX_ERROR_LENGTH = 256;
export const MAX_CAUSE_LENGTH = 32_768;
export const MAX_DATA_BYTES = 262_144;

export function checkLength(value: string | undefined, member: string, max: number): void {
  if (value === undefined) return;
  const length = max === MAX_DATA_BYTES ? Buffer.byteLength(value, 'utf8') : value.length;
  if (length > max) {
    throw serviceError(
      'states',
      'ValidationException',
      constraintMessage(
        `${value.slice(0, 20)}...`,
        member,
        `Member must have length less than or equal to ${max}`,
      ),
    );
  }
}
