import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '@/lib/api-error';
import { login } from '../api';

/** Why a login failed, in words a user acts on. */
export function loginErrorText(error: unknown, now: number, until: number | null): string {
  if (error instanceof ApiError) {
    switch (error.code) {
      case 'invalid_credentials':
        return 'Wrong user name or password.';
      case 'rate_limited': {
        const seconds = until === null ? error.retryAfter ?? 60 : Math.max(0, Math.ceil((until - now) / 1000));
        return seconds > 0 ? `Too many attempts. Try again in ${seconds} s.` : 'You can try again now.';
      }
      case 'user_disabled':
      case 'account_disabled':
        return 'This account is disabled. Ask an administrator to enable it.';
      default:
        return `${error.detail} (${error.code})`;
    }
  }
  return errorMessage(error);
}

export function LoginForm({ onLoggedIn }: { onLoggedIn: () => void }) {
  const [userName, setUserName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [until, setUntil] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (until === null) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [until]);

  const blocked = until !== null && now < until;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(userName, password);
      onLoggedIn();
    } catch (caught) {
      setError(caught);
      if (caught instanceof ApiError && caught.code === 'rate_limited') {
        setUntil(Date.now() + (caught.retryAfter ?? 60) * 1000);
        setNow(Date.now());
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="entry-form" onSubmit={submit} aria-label="Log in">
      <label>
        User name
        <input autoFocus autoComplete="username" value={userName} onChange={(e) => setUserName(e.target.value)} required />
      </label>
      <label>
        Password
        <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
      </label>
      {error !== null && (
        <p role="alert" className="form-error">
          {loginErrorText(error, now, until)}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy || blocked}>
        {busy ? 'Logging in…' : 'Log in'}
      </button>
    </form>
  );
}
