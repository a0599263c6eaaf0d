import type { ApiClient } from './api-client';
import { isApiError } from './api-error';

/** One Server-Sent Event as Wright writes it: an id, a type and one JSON data line. */
export interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
}

/** Splits a text/event-stream body into events (the WHATWG rules Wright's writer needs: id, event, data, comments). */
export async function* readSse(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<SseEvent> {
  const reader = body.pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>).getReader();
  let buffer = '';
  let id: string | undefined;
  let event = '';
  let data: string[] = [];
  let sawId = false;
  try {
    while (!signal?.aborted) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let newline: number;
      while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
        if (line === '') {
          if (data.length > 0 || event) {
            yield { id, event: event || 'message', data: data.join('\n') };
          } else if (sawId) {
            // An id-only block moves the resume position without an event.
            yield { id, event: '', data: '' };
          }
          event = '';
          data = [];
          sawId = false;
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id') {
          id = text;
          sawId = true;
        }
        else if (field === 'event') event = text;
        else if (field === 'data') data.push(text);
      }
    }
  } finally {
    reader.releaseLock();
  }
}

export interface StreamHandlers {
  onEvent(event: SseEvent): void;
  /** Connected (true) or lost and retrying (false). */
  onStatus?(connected: boolean): void;
}

/**
 * Keeps a GET event stream open: reconnects with backoff after any break, resuming with
 * Last-Event-ID, and goes through the API client so an expired login is refreshed first.
 * Returns a function that closes it for good.
 */
export function openEventStream(client: ApiClient, path: string, handlers: StreamHandlers): () => void {
  const controller = new AbortController();
  let lastEventId: string | undefined;
  let attempt = 0;

  const run = async () => {
    while (!controller.signal.aborted) {
      try {
        const headers: Record<string, string> = { Accept: 'text/event-stream' };
        if (lastEventId !== undefined) headers['Last-Event-ID'] = lastEventId;
        const response = await client.raw(path, { headers, signal: controller.signal });
        if (!response.body) throw new Error('no body');
        attempt = 0;
        handlers.onStatus?.(true);
        for await (const event of readSse(response.body, controller.signal)) {
          if (event.id !== undefined) lastEventId = event.id;
          if (event.event) handlers.onEvent(event);
        }
      } catch (error) {
        if (controller.signal.aborted) return;
        // A login that is over will not come back by retrying.
        if (isApiError(error) && (error.status === 401 || error.status === 403 || error.status === 404)) {
          handlers.onStatus?.(false);
          return;
        }
      }
      if (controller.signal.aborted) return;
      handlers.onStatus?.(false);
      attempt += 1;
      await delay(backoff(attempt), controller.signal);
    }
  };
  void run();
  return () => controller.abort();
}

/** 0.5 s, 1 s, 2 s … capped at 10 s, with jitter so many tabs do not reconnect in step. */
export function backoff(attempt: number): number {
  const base = Math.min(10_000, 500 * 2 ** Math.max(0, attempt - 1));
  return base * (0.8 + Math.random() * 0.4);
}

export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
