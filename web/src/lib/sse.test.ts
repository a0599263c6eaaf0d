import { describe, expect, it } from 'vitest';
import { backoff, readSse } from './sse';

function stream(...chunks: string[]) {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function collect(body: ReadableStream<Uint8Array>) {
  const events = [];
  for await (const event of readSse(body)) events.push(event);
  return events;
}

describe('readSse', () => {
  it('reads events split anywhere across chunks, skipping comments', async () => {
    const events = await collect(stream('id: 7\nev', 'ent: delta\ndata: {"text":"he', 'llo"}\n\n: heartbeat\n\n', 'id: 8\nevent: usage\ndata: {}\n\n'));

    expect(events).toEqual([
      { id: '7', event: 'delta', data: '{"text":"hello"}' },
      { id: '8', event: 'usage', data: '{}' },
    ]);
  });

  it('reports an id-only block as a position without an event type', async () => {
    const events = await collect(stream('id: 42\n\n'));

    expect(events).toEqual([{ id: '42', event: '', data: '' }]);
  });

  it('accepts CRLF line endings', async () => {
    const events = await collect(stream('event: a\r\ndata: 1\r\n\r\n'));

    expect(events).toEqual([{ id: undefined, event: 'a', data: '1' }]);
  });
});

describe('backoff', () => {
  it('grows and is capped', () => {
    expect(backoff(1)).toBeLessThan(backoff(4));
    expect(backoff(30)).toBeLessThanOrEqual(12_000);
  });
});
