<?php

namespace Perfwatch\Laravel;

/**
 * Posts one batch to POST /api/v1/events with curl, giving up after the configured timeout. Never
 * throws: the app must not break because Perfwatch is down.
 */
class Transport
{
    /** Why the last send failed, for the one log line a process writes. */
    public ?string $lastError = null;

    public function __construct(
        private string $url,
        private ?string $token,
        private int $timeoutMs,
        private int $connectTimeoutMs,
    ) {
    }

    /** @return array{ok: bool, rejected: int} */
    public function send(array $batch): array
    {
        $body = json_encode($batch, JSON_UNESCAPED_SLASHES | JSON_INVALID_UTF8_SUBSTITUTE | JSON_PARTIAL_OUTPUT_ON_ERROR);
        if ($body === false) {
            $this->lastError = 'could not encode the batch as JSON';

            return ['ok' => false, 'rejected' => 0];
        }
        $headers = ['Content-Type: application/json', 'Expect:'];
        if ($this->token !== null && $this->token !== '') {
            $headers[] = 'Authorization: Bearer '.$this->token;
        }
        $ch = curl_init(rtrim($this->url, '/').'/api/v1/events');
        curl_setopt_array($ch, [
            CURLOPT_POST => true,
            CURLOPT_POSTFIELDS => $body,
            CURLOPT_HTTPHEADER => $headers,
            CURLOPT_RETURNTRANSFER => true,
            // Millisecond timeouts need NOSIGNAL, or libcurl rounds anything under a second up to one.
            CURLOPT_NOSIGNAL => true,
            CURLOPT_TIMEOUT_MS => max(1, $this->timeoutMs),
            CURLOPT_CONNECTTIMEOUT_MS => max(1, min($this->connectTimeoutMs, $this->timeoutMs)),
        ]);
        $response = curl_exec($ch);
        $status = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        $error = curl_error($ch);
        curl_close($ch);
        if ($response === false) {
            $this->lastError = $error !== '' ? $error : 'request failed';

            return ['ok' => false, 'rejected' => 0];
        }
        $decoded = is_string($response) ? json_decode($response, true) : null;
        $rejected = is_array($decoded) && isset($decoded['rejected']) && is_array($decoded['rejected'])
            ? count($decoded['rejected']) : 0;
        // 400 with per-event reasons: the batch arrived (the heartbeat counted), its events did not.
        if ($status === 200 || ($status === 400 && is_array($decoded) && isset($decoded['accepted']))) {
            if ($rejected > 0) {
                $first = $decoded['rejected'][0];
                $this->lastError = sprintf('Perfwatch rejected %d events, e.g. #%s: %s', $rejected, $first['index'] ?? '?', $first['reason'] ?? '?');
            }

            return ['ok' => true, 'rejected' => $rejected];
        }
        $message = is_array($decoded) && isset($decoded['error']['message']) ? $decoded['error']['message'] : '';
        $this->lastError = "HTTP $status".($message !== '' ? ": $message" : '');

        return ['ok' => false, 'rejected' => 0];
    }
}
