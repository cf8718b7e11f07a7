import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Recorder } from '@perfwatch/node/internal';
import { SECURITY_HEADERS } from './security-headers';

/** What Node's parser reports before Express runs → the status and code of the JSON answer. */
const ANSWERS: Readonly<Record<string, { status: number; reason: string; code: string; message: string }>> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    reason: 'Request Header Fields Too Large',
    code: 'headers_too_large',
    message: 'request line and headers exceed the server limit (16 KiB by default)',
  },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: {
    status: 413,
    reason: 'Payload Too Large',
    code: 'chunk_extensions_too_large',
    message: 'chunk extensions exceed the server limit',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    reason: 'Request Timeout',
    code: 'request_timeout',
    message: 'the request was not received in time',
  },
};
const BAD_REQUEST = {
  status: 400,
  reason: 'Bad Request',
  code: 'malformed_request',
  message: 'the request could not be parsed as HTTP',
};

/** Node's own (undocumented) link from a socket to the response it is writing: lib/_http_server.js. */
interface InFlight {
  _httpMessage?: { _headerSent?: boolean } | null;
}

/**
 * Requests Node's HTTP parser refuses (a query string past --max-http-header-size, a malformed request
 * line) never reach Express; Node's own answer is a bare status line. This answers them like every other
 * error, as JSON with the security headers, then closes: the parser cannot resume on that connection.
 * Mirrors Node's default (lib/_http_server.js socketOnError): answer unless a response in flight on
 * this socket has already sent its head. (Until the fourth session this checked the socket's
 * bytesWritten, which counts every earlier answer on a keep-alive connection: the second request's
 * refusal got no answer at all, and the client saw the connection close.)
 */
export function answerClientErrorsAsJson(server: Server, recorder: Recorder): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex & InFlight) => {
    // A client that hung up is not a refused request: nothing to answer, nothing to count.
    if (err.code === 'ECONNRESET') return void socket.destroy();
    const answer = (err.code && ANSWERS[err.code]) || BAD_REQUEST;
    recorder.metrics.dropped.inc({ component: 'http', reason: answer.code });
    if (!socket.writable || socket._httpMessage?._headerSent) return void socket.destroy();
    const body = JSON.stringify({ error: { code: answer.code, message: answer.message } });
    const headers = {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(body)),
      'Cache-Control': 'no-store',
      Connection: 'close',
      ...SECURITY_HEADERS,
    };
    const head = Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.end(`HTTP/1.1 ${answer.status} ${answer.reason}\r\n${head}\r\n${body}`);
  });
}
