import type { Recorder } from '../core/recorder';

export interface MeasureOptions<R> {
  /** Bytes handled: a number, or read from the result (e.g. the compressed buffer's length). */
  bytes?: number | ((result: R) => number | undefined);
}

/**
 * Times a file operation (bundle, compress, patch, …) into file_operation_duration_seconds and
 * file_operation_bytes; failures are recorded with status "error" and rethrown unchanged.
 */
export async function measure<R>(
  recorder: Recorder,
  operation: string,
  fn: () => Promise<R> | R,
  options: MeasureOptions<R> = {},
): Promise<R> {
  const start = performance.now();
  try {
    const result = await fn();
    let bytes: number | undefined;
    try {
      bytes = typeof options.bytes === 'function' ? options.bytes(result) : options.bytes;
    } catch {
      // A broken size callback must not turn the app's successful operation into a failure.
      recorder.drop('file_operations', 'bytes_callback_failed');
    }
    recorder.recordFileOperation({
      operation,
      status: 'ok',
      durationSeconds: (performance.now() - start) / 1000,
      bytes,
    });
    return result;
  } catch (err) {
    recorder.recordFileOperation({
      operation,
      status: 'error',
      durationSeconds: (performance.now() - start) / 1000,
      bytes: typeof options.bytes === 'number' ? options.bytes : undefined,
    });
    throw err;
  }
}
