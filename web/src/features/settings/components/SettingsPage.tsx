import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { KeyRound, PlugZap, Trash2 } from 'lucide-react';
import { ErrorText } from '@/components/Dialog';
import { AddUserForm, ModelsSection } from './ModelsSection';
import { auditQuery, createToken, deleteProvider, providersQuery, revokeToken, saveProvider, testProvider, tokensQuery, updateUser, usersQuery } from '../api';

type Section = 'providers' | 'models' | 'tokens' | 'users' | 'audit' | 'appearance';

/** Settings (`/settings`): providers, personal access tokens, users and audit for admins, theme. */
export function SettingsPage({ isAdmin, theme, onTheme }: { isAdmin: boolean; theme: 'dark' | 'light'; onTheme: (t: 'dark' | 'light') => void }) {
  const [section, setSection] = useState<Section>('providers');
  const sections: Array<[Section, string]> = [
    ['providers', 'Providers'],
    ['models', 'Models'],
    ['tokens', 'Access tokens'],
    ...(isAdmin ? ([['users', 'Users'], ['audit', 'Audit log']] as Array<[Section, string]>) : []),
    ['appearance', 'Appearance'],
  ];
  return (
    <main className="settings-page">
      <nav className="settings-nav" aria-label="Settings sections">
        {sections.map(([id, label]) => (
          <button key={id} className={section === id ? 'active' : ''} aria-current={section === id ? 'page' : undefined} onClick={() => setSection(id)}>
            {label}
          </button>
        ))}
      </nav>
      <div className="settings-body">
        {section === 'providers' && <Providers isAdmin={isAdmin} />}
        {section === 'models' && <ModelsSection isAdmin={isAdmin} />}
        {section === 'tokens' && <Tokens />}
        {section === 'users' && <Users />}
        {section === 'audit' && <Audit />}
        {section === 'appearance' && (
          <section aria-label="Appearance">
            <h2>Appearance</h2>
            <label>
              Theme{' '}
              <select aria-label="Theme" value={theme} onChange={(e) => onTheme(e.target.value as 'dark' | 'light')}>
                <option value="dark">Dark</option>
                <option value="light">Light</option>
              </select>
            </label>
          </section>
        )}
      </div>
    </main>
  );
}

function Providers({ isAdmin }: { isAdmin: boolean }) {
  const client = useQueryClient();
  const providers = useQuery(providersQuery);
  const [name, setName] = useState('openai');
  const [kind, setKind] = useState('openai');
  const [baseUrl, setBaseUrl] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [tests, setTests] = useState<Record<string, string>>({});
  const invalidate = () => client.invalidateQueries({ queryKey: ['providers'] });
  const save = useMutation({
    mutationFn: () => saveProvider(name, { kind, ...(baseUrl ? { baseUrl } : {}), ...(apiKey ? { apiKey } : {}) }),
    onSuccess: () => {
      setApiKey('');
      void invalidate();
    },
  });
  const remove = useMutation({ mutationFn: deleteProvider, onSettled: invalidate });
  const test = async (provider: string) => {
    setTests((t) => ({ ...t, [provider]: 'testing…' }));
    try {
      const result = await testProvider(provider);
      setTests((t) => ({ ...t, [provider]: result.ok ? `ok · ${result.model} · ${result.latencyMs} ms` : `failed: ${result.error?.detail ?? ''} (${result.error?.code ?? ''})` }));
    } catch (error) {
      setTests((t) => ({ ...t, [provider]: `failed: ${error instanceof Error ? error.message : String(error)}` }));
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <section aria-label="Providers">
      <h2>Providers</h2>
      <p className="hint">Keys are encrypted at rest and never shown again; environment variables (OPENAI_API_KEY, ANTHROPIC_API_KEY, …) are picked up too.</p>
      <ErrorText error={providers.error ?? remove.error} />
      <table className="grid" aria-label="Configured providers">
        <thead>
          <tr>
            <th>Name</th>
            <th>Kind</th>
            <th>Base URL</th>
            <th>Key</th>
            <th>Source</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {providers.data?.length === 0 && (
            <tr>
              <td colSpan={6} className="hint">
                No provider yet — add an API key below (or set OPENAI_API_KEY / ANTHROPIC_API_KEY and restart).
              </td>
            </tr>
          )}
          {(providers.data ?? []).map((p) => (
            <tr key={p.name}>
              <td>{p.name}</td>
              <td>{p.kind}</td>
              <td className="mono">{p.baseUrl}</td>
              <td className="mono">{p.hasKey ? p.keyHint : '—'}</td>
              <td>{p.source}</td>
              <td className="row-actions">
                <button onClick={() => void test(p.name)} aria-label={`Test ${p.name}`}>
                  <PlugZap size={13} /> Test
                </button>
                {isAdmin && (
                  <button className="icon danger" aria-label={`Remove ${p.name}`} onClick={() => remove.mutate(p.name)}>
                    <Trash2 size={13} />
                  </button>
                )}
                {tests[p.name] && <span className="hint">{tests[p.name]}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {isAdmin && (
        <form className="dialog-form inline-grid" onSubmit={submit} aria-label="Add or update a provider">
          <h3>Add or update</h3>
          <label>
            Name
            <input value={name} onChange={(e) => setName(e.target.value)} required />
          </label>
          <label>
            Kind
            <select value={kind} onChange={(e) => setKind(e.target.value)}>
              <option value="openai">OpenAI-compatible</option>
              <option value="anthropic">Anthropic</option>
            </select>
          </label>
          <label>
            Base URL (for compatible servers, optional)
            <input value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} placeholder="http://127.0.0.1:11434/v1" />
          </label>
          <label>
            API key
            <input type="password" autoComplete="off" value={apiKey} onChange={(e) => setApiKey(e.target.value)} />
          </label>
          <ErrorText error={save.error} />
          <div className="dialog-buttons">
            <button type="submit" className="primary" disabled={save.isPending}>
              Save provider
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

function Tokens() {
  const client = useQueryClient();
  const tokens = useQuery(tokensQuery);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () => createToken(name),
    onSuccess: (t) => {
      setCreated(t.token);
      setName('');
      void client.invalidateQueries({ queryKey: ['tokens'] });
    },
  });
  const revoke = useMutation({ mutationFn: revokeToken, onSettled: () => client.invalidateQueries({ queryKey: ['tokens'] }) });
  return (
    <section aria-label="Access tokens">
      <h2>Personal access tokens</h2>
      {created && (
        <p role="status" className="token-once">
          <KeyRound size={13} /> Copy it now, it is shown once: <code>{created}</code>
        </p>
      )}
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <input aria-label="Token name" placeholder="Token name" value={name} onChange={(e) => setName(e.target.value)} required />
        <button type="submit" className="primary">
          Create token
        </button>
      </form>
      <ErrorText error={tokens.error ?? create.error ?? revoke.error} />
      <table className="grid" aria-label="Tokens">
        <thead>
          <tr>
            <th>Name</th>
            <th>Token</th>
            <th>Scopes</th>
            <th>Created</th>
            <th>Last used</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(tokens.data ?? []).map((t) => (
            <tr key={t.id} className={t.revoked ? 'muted' : ''}>
              <td>{t.name}</td>
              <td className="mono">{t.hint}</td>
              <td>{t.scopes.join(', ')}</td>
              <td>{new Date(t.createdAt).toLocaleDateString()}</td>
              <td>{t.lastUsedAt ? new Date(t.lastUsedAt).toLocaleString() : '—'}</td>
              <td>{t.revoked ? 'revoked' : <button onClick={() => revoke.mutate(t.id)}>Revoke</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Users() {
  const client = useQueryClient();
  const users = useQuery(usersQuery);
  const update = useMutation({
    mutationFn: (args: { id: string; disabled?: boolean; role?: string }) => updateUser(args.id, args),
    onSettled: () => client.invalidateQueries({ queryKey: ['users'] }),
  });
  return (
    <section aria-label="Users">
      <h2>Users</h2>
      <AddUserForm />
      <ErrorText error={users.error ?? update.error} />
      <table className="grid" aria-label="Users">
        <thead>
          <tr>
            <th>Name</th>
            <th>Role</th>
            <th>State</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(users.data ?? []).map((u) => (
            <tr key={u.id}>
              <td>{u.userName}</td>
              <td>
                <select aria-label={`Role of ${u.userName}`} value={u.role} onChange={(e) => update.mutate({ id: u.id, role: e.target.value })}>
                  <option value="member">member</option>
                  <option value="admin">admin</option>
                </select>
              </td>
              <td>{u.disabled ? 'disabled' : 'active'}</td>
              <td>
                <button onClick={() => update.mutate({ id: u.id, disabled: !u.disabled })}>{u.disabled ? 'Enable' : 'Disable'}</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Audit() {
  const audit = useQuery(auditQuery);
  return (
    <section aria-label="Audit log">
      <h2>Audit log</h2>
      <ErrorText error={audit.error} />
      <table className="grid" aria-label="Audit entries">
        <thead>
          <tr>
            <th>When</th>
            <th>Action</th>
            <th>Actor</th>
            <th>Target</th>
            <th>Address</th>
          </tr>
        </thead>
        <tbody>
          {(audit.data ?? []).map((e) => (
            <tr key={e.id}>
              <td>{new Date(e.at).toLocaleString()}</td>
              <td>{e.action}</td>
              <td>{e.actorName ?? '—'}</td>
              <td>{e.target ?? ''}</td>
              <td>{e.address ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
