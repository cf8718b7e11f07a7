import type { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { type Readable, Transform } from 'node:stream';
import type { Recorder } from '../core/recorder';

/**
 * Upload outcomes, the `status` of file_operation_duration_seconds{operation="upload"}: stored (`ok`),
 * over the size limit (`too_large`), the client went away mid-file (`aborted`), the storage failed
 * (`error`).
 */
export type UploadStatus = 'ok' | 'too_large' | 'aborted' | 'error';

export interface UploadOptions {
  /** The `operation` label (default `upload`), e.g. `avatar_upload` to tell upload paths apart. */
  operation?: string;
}

/** One file being received: recorded once, at whichever end comes first. */
class Upload {
  bytes = 0;
  private readonly start = performance.now();
  private done = false;

  constructor(
    private readonly recorder: Recorder,
    private readonly operation: string,
    private readonly onEnd?: (u: Upload) => void,
  ) {}

  end(status: UploadStatus): void {
    if (this.done) return;
    this.done = true;
    this.recorder.recordFileOperation({
      operation: this.operation,
      status,
      durationSeconds: (performance.now() - this.start) / 1000,
      bytes: this.bytes,
    });
    this.onEnd?.(this);
  }
}

/** Whether the client went away before sending the whole body. */
function clientAborted(req: IncomingMessage | undefined): boolean {
  return !!req && (req.readableAborted || (req.destroyed && !req.readableEnded));
}

/** A file as multer hands it to a storage engine; only the stream matters here. */
interface MulterFile {
  stream: Readable;
}

/** multer's StorageEngine interface (multer.diskStorage(), multer.memoryStorage(), multer-s3, …). */
export interface StorageEngine<Req = IncomingMessage, File extends MulterFile = MulterFile> {
  _handleFile(req: Req, file: File, callback: (error?: unknown, info?: object) => void): void;
  _removeFile(req: Req, file: File, callback: (error: Error | null) => void): void;
}

/**
 * Wraps a multer storage engine so every file is recorded in file_operation_duration_seconds and
 * file_operation_bytes: from the file's first byte to the engine reporting it stored, with its size
 * and outcome. Use it where the engine goes: `multer({ storage: pw.multerStorage(multer.diskStorage(…)) })`.
 *
 * Bytes are counted by a pass-through stream between multer and the engine (rather than a 'data'
 * listener on multer's stream, which would start the flow before the engine is ready and lose data).
 */
export function instrumentMulterStorage<Req extends IncomingMessage, File extends MulterFile>(
  recorder: Recorder,
  storage: StorageEngine<Req, File>,
  options: UploadOptions = {},
): StorageEngine<Req, File> {
  const operation = options.operation ?? 'upload';
  return {
    _handleFile(req, file, callback) {
      const upload = new Upload(recorder, operation);
      const source = file.stream;
      const counted = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          upload.bytes += chunk.length;
          done(null, chunk);
        },
      });
      // busboy emits 'limit' when the file passes limits.fileSize; multer then rejects the request.
      source.once('limit', () => upload.end('too_large'));
      source.once('error', (err) => {
        upload.end(clientAborted(req) ? 'aborted' : 'error');
        // The engine must see the failure to close what it opened; the error is handled here, so an
        // engine without an 'error' listener cannot crash the process with it.
        counted.on('error', () => undefined);
        counted.destroy(err);
      });
      source.pipe(counted);
      // multer defines `stream` as a non-writable property; redefine it for the engine.
      Object.defineProperty(file, 'stream', { configurable: true, enumerable: false, value: counted });
      storage._handleFile(req, file, (err, info) => {
        upload.end(err ? (clientAborted(req) ? 'aborted' : 'error') : 'ok');
        callback(err, info);
      });
    },
    _removeFile(req, file, callback) {
      storage._removeFile(req, file, callback);
    },
  };
}

interface BusboyFileStream extends Readable {
  truncated?: boolean;
}

/**
 * Records every file a busboy instance parses: from its first byte to the app having read its last
 * (busboy does not know when the app has stored it; time the storing with `measure()` if that
 * matters), with its size and outcome. Pass the request to see uploads the client aborted: busboy
 * itself never hears about them when the request is only piped into it.
 */
export function instrumentBusboy<B extends EventEmitter>(
  recorder: Recorder,
  busboy: B,
  options: UploadOptions & { request?: IncomingMessage } = {},
): B {
  const operation = options.operation ?? 'upload';
  const pending = new Set<Upload>();
  busboy.on('file', (_field: string, stream: BusboyFileStream) => {
    const upload = new Upload(recorder, operation, (u) => pending.delete(u));
    pending.add(upload);
    // Counted where busboy hands each chunk over, so the app's own reading is left alone (a 'data'
    // listener would switch the stream to flowing before the app has attached its consumer).
    const push = stream.push.bind(stream);
    stream.push = (chunk: unknown, encoding?: BufferEncoding) => {
      if (chunk !== null && chunk !== undefined) upload.bytes += (chunk as Buffer).length;
      return push(chunk, encoding);
    };
    stream.once('limit', () => upload.end('too_large'));
    stream.once('error', () => upload.end(clientAborted(options.request) ? 'aborted' : 'error'));
    stream.once('end', () => upload.end(stream.truncated ? 'too_large' : 'ok'));
  });
  options.request?.once('close', () => {
    if (!clientAborted(options.request)) return;
    for (const u of [...pending]) u.end('aborted');
  });
  return busboy;
}
