import { useEffect, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { getSetupStatus } from '@/features/auth/api';
import { LoginForm } from '@/features/auth/components/LoginForm';
import { SetupForm } from '@/features/auth/components/SetupForm';

function EntryFrame({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <main className="entry">
      <div className="entry-card">
        <div className="brand">
          <img src="/favicon.svg" alt="" width={28} height={28} />
          <span>Wright</span>
        </div>
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}

/** Only same-site paths: a crafted ?next= must not send the user elsewhere. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function LoginRoute() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [setupRequired, setSetupRequired] = useState(false);
  useEffect(() => {
    getSetupStatus()
      .then((s) => setSetupRequired(s.required))
      .catch(() => undefined);
  }, []);
  return (
    <EntryFrame title="Log in">
      {setupRequired && (
        <p className="hint" role="note">
          No administrator yet: open the setup URL that <code>wright serve</code> printed.
        </p>
      )}
      <LoginForm
        onLoggedIn={() => {
          client.clear();
          void navigate(safeNext(params.get('next')), { replace: true });
        }}
      />
    </EntryFrame>
  );
}

export function SetupRoute() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const client = useQueryClient();
  const token = params.get('token') ?? '';
  const [required, setRequired] = useState<boolean | null>(null);
  useEffect(() => {
    getSetupStatus()
      .then((s) => setRequired(s.required))
      .catch(() => setRequired(true));
  }, []);
  return (
    <EntryFrame title="Set up Wright">
      {required === false ? (
        <p>
          Wright is already set up. <a href="/login">Log in</a>.
        </p>
      ) : !token ? (
        <p role="alert" className="form-error">
          This page needs the setup URL with its token, as <code>wright serve</code> printed it.
        </p>
      ) : (
        <SetupForm
          token={token}
          onDone={() => {
            client.clear();
            void navigate('/', { replace: true });
          }}
        />
      )}
    </EntryFrame>
  );
}
