import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ErrorText } from '@/components/Dialog';
import { usePreferences } from '@/lib/preferences';
import { catalogQuery, createUser, saveModel, type CatalogModel } from '../api';

const perMillion = (perToken: number | null) => (perToken === null ? '' : String(+(perToken * 1_000_000).toFixed(4)));

/**
 * The model catalog: each model's context window and prices (per million tokens), overridable by
 * admins; the server's default model; and the user's own default for new prompts in this browser.
 */
export function ModelsSection({ isAdmin }: { isAdmin: boolean }) {
  const catalog = useQuery(catalogQuery);
  const { defaultModel, setDefaultModel } = usePreferences();
  const [editing, setEditing] = useState<string | null>(null);
  const [filter, setFilter] = useState('');
  const serverDefault = catalog.data?.find((m) => m.default)?.name ?? null;
  const shown = (catalog.data ?? []).filter((m) => !filter || m.name.toLowerCase().includes(filter.toLowerCase()));
  return (
    <section aria-label="Models">
      <h2>Models</h2>
      <label className="field-row">
        My default model{' '}
        <select aria-label="My default model" value={defaultModel} onChange={(e) => setDefaultModel(e.target.value)}>
          <option value="">The server's default{serverDefault ? ` (${serverDefault})` : ' (WRIGHT_DEFAULT_MODEL, not set)'}</option>
          {(catalog.data ?? []).map((m) => (
            <option key={m.name} value={m.name}>
              {m.name}
            </option>
          ))}
        </select>
      </label>
      <p className="hint">The model a new prompt uses when you do not pick one in the chat. Kept in this browser.</p>
      <input type="search" aria-label="Filter models" placeholder="Filter models…" value={filter} onChange={(e) => setFilter(e.target.value)} />
      <ErrorText error={catalog.error} />
      <table className="grid" aria-label="Model catalog">
        <thead>
          <tr>
            <th>Model</th>
            <th>Context</th>
            <th>Max output</th>
            <th>Input / 1M</th>
            <th>Output / 1M</th>
            <th>Source</th>
            {isAdmin && <th />}
          </tr>
        </thead>
        <tbody>
          {shown.map((m) =>
            editing === m.name ? (
              <ModelEditor key={m.name} model={m} onDone={() => setEditing(null)} />
            ) : (
              <tr key={m.name}>
                <td>
                  {m.name}
                  {m.default && <span className="badge">server default</span>}
                </td>
                <td>{m.contextWindow?.toLocaleString() ?? '—'}</td>
                <td>{m.maxOutputTokens?.toLocaleString() ?? '—'}</td>
                <td>{m.inputCostPerToken === null ? 'unpriced' : `${m.currency === 'USD' ? '$' : ''}${perMillion(m.inputCostPerToken)}`}</td>
                <td>{m.outputCostPerToken === null ? 'unpriced' : `${m.currency === 'USD' ? '$' : ''}${perMillion(m.outputCostPerToken)}`}</td>
                <td className="hint">{m.source}</td>
                {isAdmin && (
                  <td>
                    <button aria-label={`Override ${m.name}`} onClick={() => setEditing(m.name)}>
                      Override
                    </button>
                  </td>
                )}
              </tr>
            ),
          )}
        </tbody>
      </table>
    </section>
  );
}

function ModelEditor({ model, onDone }: { model: CatalogModel; onDone: () => void }) {
  const client = useQueryClient();
  const [values, setValues] = useState({
    contextWindow: model.contextWindow?.toString() ?? '',
    maxOutputTokens: model.maxOutputTokens?.toString() ?? '',
    input: perMillion(model.inputCostPerToken),
    output: perMillion(model.outputCostPerToken),
  });
  const save = useMutation({
    mutationFn: () => {
      const number = (text: string) => (text.trim() === '' ? undefined : Number(text));
      const price = (text: string) => (text.trim() === '' ? undefined : Number(text) / 1_000_000);
      return saveModel(model.name, {
        contextWindow: number(values.contextWindow),
        maxOutputTokens: number(values.maxOutputTokens),
        inputCostPerToken: price(values.input),
        outputCostPerToken: price(values.output),
      });
    },
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['models'] });
      onDone();
    },
  });
  const field = (key: keyof typeof values, label: string) => (
    <td>
      <input aria-label={`${label} of ${model.name}`} inputMode="decimal" size={9} value={values[key]} onChange={(e) => setValues({ ...values, [key]: e.target.value })} />
    </td>
  );
  return (
    <tr>
      <td>
        {model.name}
        <ErrorText error={save.error} />
      </td>
      {field('contextWindow', 'Context window')}
      {field('maxOutputTokens', 'Max output tokens')}
      {field('input', 'Input price per million')}
      {field('output', 'Output price per million')}
      <td />
      <td className="row-actions">
        <button className="primary" onClick={() => save.mutate()} disabled={save.isPending}>
          Save
        </button>
        <button onClick={onDone}>Cancel</button>
      </td>
    </tr>
  );
}

/** An admin adds a user with a first password (they change it after logging in). */
export function AddUserForm() {
  const client = useQueryClient();
  const [form, setForm] = useState({ userName: '', password: '', role: 'member' });
  const add = useMutation({
    mutationFn: () => createUser(form.userName.trim(), form.password, form.role),
    onSuccess: () => {
      setForm({ userName: '', password: '', role: 'member' });
      void client.invalidateQueries({ queryKey: ['users'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate();
  };
  return (
    <form className="dialog-form inline-grid" aria-label="Add a user" onSubmit={submit}>
      <input aria-label="New user name" placeholder="User name" value={form.userName} onChange={(e) => setForm({ ...form, userName: e.target.value })} required autoComplete="off" />
      <input aria-label="First password" type="password" placeholder="First password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} required autoComplete="new-password" />
      <select aria-label="New user's role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value })}>
        <option value="member">member</option>
        <option value="admin">admin</option>
      </select>
      <button type="submit" className="primary" disabled={add.isPending || !form.userName.trim() || !form.password}>
        Add user
      </button>
      <ErrorText error={add.error} />
    </form>
  );
}
