import { useState, type FormEvent } from 'react';
import { errorMessage, isApiError } from '@/lib/api-error';
import { completeSetup, login } from '../api';

/** First start: creates the first admin with the token from the URL `wright serve` printed, then logs in. */
export function SetupForm({ token, onDone }: { token: string; onDone: () => void }) {
  const [userName, setUserName] = useState('admin');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (password !== confirm) {
      setError('The passwords differ.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await completeSetup(token, userName, password);
      await login(userName, password);
      onDone();
    } catch (caught) {
      setError(isApiError(caught) ? `${caught.detail} (${caught.code})` : errorMessage(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="entry-form" onSubmit={submit} aria-label="Create the administrator">
      <label>
        Administrator name
        <input autoComplete="username" value={userName} onChange={(e) => setUserName(e.target.value)} required />
      </label>
      <label>
        Password
        <input type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} required autoFocus />
      </label>
      <label>
        Repeat password
        <input type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} required />
      </label>
      {error && (
        <p role="alert" className="form-error">
          {error}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Creating…' : 'Create administrator'}
      </button>
    </form>
  );
}
