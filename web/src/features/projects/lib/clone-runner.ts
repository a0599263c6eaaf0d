import { ApiError } from '@/lib/api-error';
import { useNotices } from '@/lib/notifications';
import { cancelClone, followClone, startClone, type CloneOperation } from '../api';

/** git's phases in the order a clone goes through them, with the share of the whole bar each takes. */
const phases: Array<[string, number, number]> = [
  ['Counting objects', 0, 0],
  ['Compressing objects', 0, 0],
  ['Receiving objects', 0, 80],
  ['Resolving deltas', 80, 95],
  ['Updating files', 95, 100],
];

/** One bar for the whole clone: receiving objects fills most of it, resolving deltas and checking out the rest. */
export function overallPercent(clone: Pick<CloneOperation, 'state' | 'phase' | 'percent'>): number {
  if (clone.state === 'succeeded') return 100;
  const phase = phases.find(([name]) => name === clone.phase);
  if (!phase) return 0;
  const [, from, to] = phase;
  return Math.round(from + ((to - from) * clone.percent) / 100);
}

export function describeProgress(clone: CloneOperation): string {
  if (!clone.phase) return 'Connecting…';
  const count = clone.done !== null && clone.total !== null ? ` (${clone.done.toLocaleString()}/${clone.total.toLocaleString()})` : '';
  return `${clone.phase} ${clone.percent}%${count}`;
}

/**
 * Starts a clone on the server and follows it to its end, as an operation in the notification
 * centre (a progress bar, Cancel, then its outcome with the error's code). Resolves with the
 * project; rejects with the problem when the clone fails or is cancelled.
 */
export async function runClone(args: { url: string; path?: string; name?: string }, onChange: (clone: CloneOperation) => void): Promise<CloneOperation> {
  const notices = useNotices.getState();
  const started = await startClone(args);
  onChange(started);
  const notice = notices.push({
    kind: 'progress',
    title: `Cloning ${started.name}`,
    detail: started.url,
    code: null,
    progress: 0,
    onCancel: () => void cancelClone(started.id).catch(() => undefined),
  });
  let final: CloneOperation;
  try {
    final = await followClone(started.id, (clone) => {
      onChange(clone);
      notices.update(notice, { progress: overallPercent(clone), detail: describeProgress(clone) });
    });
  } catch (error) {
    notices.update(notice, { kind: 'error', title: `Lost track of cloning ${started.name}`, detail: error instanceof Error ? error.message : String(error), progress: null, onCancel: null });
    throw error;
  }
  if (final.state === 'succeeded') {
    notices.update(notice, { kind: 'success', title: `Cloned ${started.name}`, detail: final.path, progress: null, onCancel: null });
    return final;
  }
  const error = final.error ?? { code: 'clone_failed', detail: 'The clone failed.' };
  notices.update(notice, {
    kind: final.state === 'cancelled' ? 'info' : 'error',
    title: final.state === 'cancelled' ? `Clone of ${started.name} cancelled` : `Cloning ${started.name} failed`,
    detail: error.detail,
    code: error.code,
    progress: null,
    onCancel: null,
  });
  throw new ApiError(final.state === 'cancelled' ? 409 : 400, error.code, error.detail);
}
