import { CanaryError, ERROR_CODES } from '../../errors.js';

/** Another run holds the state directory (or the audit log stays locked). */
export const BUSY_CODE = ERROR_CODES.busy;

/** A CanaryError with code {@link BUSY_CODE}. */
export function busyError(message: string): CanaryError {
  return new CanaryError(BUSY_CODE, message);
}

/** Whether `err` is the error {@link busyError} makes. */
export function isBusyError(err: unknown): err is CanaryError {
  return err instanceof CanaryError && err.code === BUSY_CODE;
}
