import { afterEach, describe, expect, it, vi } from 'vitest';
import { QueryClient } from '@tanstack/react-query';
import { activeFlowRunsKey } from '../api';
import { debounced, refetchDelayMs } from './flow-run-feed';

describe('the board flow-run refetch', () => {
  afterEach(() => vi.useRealTimers());

  it('refetches once per burst of flow.run events, after a quiet spell', () => {
    vi.useFakeTimers();
    const client = new QueryClient();
    const invalidate = vi.spyOn(client, 'invalidateQueries').mockResolvedValue();
    const refetch = debounced(client);

    refetch.soon();
    vi.advanceTimersByTime(refetchDelayMs - 10);
    refetch.soon();
    refetch.soon();
    vi.advanceTimersByTime(refetchDelayMs - 10);
    expect(invalidate).not.toHaveBeenCalled();

    vi.advanceTimersByTime(20);
    expect(invalidate).toHaveBeenCalledTimes(1);
    expect(invalidate).toHaveBeenCalledWith({ queryKey: activeFlowRunsKey, exact: true });
  });

  it('refetches at once on reconnect, and not again for an event that was pending', () => {
    vi.useFakeTimers();
    const client = new QueryClient();
    const invalidate = vi.spyOn(client, 'invalidateQueries').mockResolvedValue();
    const refetch = debounced(client);

    refetch.soon();
    refetch.now();
    vi.advanceTimersByTime(refetchDelayMs * 2);
    expect(invalidate).toHaveBeenCalledTimes(1);

    refetch.soon();
    refetch.cancel();
    vi.advanceTimersByTime(refetchDelayMs * 2);
    expect(invalidate).toHaveBeenCalledTimes(1);
  });
});
