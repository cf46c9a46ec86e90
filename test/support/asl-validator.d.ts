declare module 'asl-validator' {
  interface ValidationResult {
    isValid: boolean;
    errorsText: (separator?: string) => string;
  }
  /** Validates an Amazon States Language definition. */
  export default function aslValidator(definition: unknown): ValidationResult;
}
