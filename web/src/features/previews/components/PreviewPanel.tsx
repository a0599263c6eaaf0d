import { useEffect, useState, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ExternalLink, Monitor, Plus, RotateCw, Smartphone, Tablet, Trash2 } from 'lucide-react';
import { isApiError } from '@/lib/api-error';
import { notifyError } from '@/lib/notifications';
import { addPreview, previewsQuery, removePreview } from '../api';

export type PreviewDevice = 'desktop' | 'tablet' | 'phone';

/** What the preview panel remembers with the workbench. */
export interface PreviewLayout {
  port: number | null;
  device: PreviewDevice;
}

const devices: Array<{ id: PreviewDevice; label: string; icon: typeof Monitor; width: number | null; height: number | null }> = [
  { id: 'desktop', label: 'Desktop', icon: Monitor, width: null, height: null },
  { id: 'tablet', label: 'Tablet (768 × 1024)', icon: Tablet, width: 768, height: 1024 },
  { id: 'phone', label: 'Phone (390 × 844)', icon: Smartphone, width: 390, height: 844 },
];

interface Props {
  projectId: string;
  layout: PreviewLayout;
  visible: boolean;
  onLayout(layout: PreviewLayout): void;
  header: ReactNode;
  actions: ReactNode;
}

/**
 * The running app in the bottom panel: the dev servers Wright found (or the user added), the
 * chosen one in a frame served from its own origin, with reload, open in a browser tab and
 * device sizes; when nothing listens on the port, a page that says so and what to do.
 */
export function PreviewPanel({ projectId, layout, visible, onLayout, header, actions }: Props) {
  const client = useQueryClient();
  const previews = useQuery({ ...previewsQuery(projectId), enabled: visible });
  const [nonce, setNonce] = useState(0);
  const [adding, setAdding] = useState('');
  const items = previews.data ?? [];
  const selected = items.find((p) => p.port === layout.port) ?? items.find((p) => p.listening) ?? items[0] ?? null;
  const device = devices.find((d) => d.id === layout.device) ?? devices[0]!;

  // A dev server that comes up (again) reloads its frame, so "down" pages do not linger.
  const up = selected?.listening ?? false;
  useEffect(() => {
    if (up) setNonce((n) => n + 1);
  }, [up, selected?.port]);

  const add = async () => {
    const port = Number(adding);
    try {
      const preview = await addPreview(projectId, port);
      setAdding('');
      onLayout({ ...layout, port: preview.port });
      await client.invalidateQueries({ queryKey: previewsQuery(projectId).queryKey });
    } catch (error) {
      notifyError(`Port ${adding} could not be added`, error);
    }
  };

  return (
    <section className="bottom-panel" aria-label="Preview">
      <header className="panel-header">
        {header}
        <select
          className="preview-select"
          aria-label="Dev server"
          value={selected?.port ?? ''}
          disabled={items.length === 0}
          onChange={(e) => onLayout({ ...layout, port: Number(e.target.value) })}
        >
          {items.length === 0 && <option value="">No dev server</option>}
          {items.map((p) => (
            <option key={p.port} value={p.port}>
              {p.listening ? '●' : '○'} localhost:{p.port} — {p.source === 'added' ? 'added' : p.source === 'printed' ? 'printed in a terminal' : p.source === 'command' ? `started by the model: ${p.command ?? 'a command'}` : p.terminalId ? 'from a terminal' : 'from a command'}
            </option>
          ))}
        </select>
        <form
          className="preview-add"
          onSubmit={(e) => {
            e.preventDefault();
            void add();
          }}
        >
          <input aria-label="Port to preview" placeholder="port" inputMode="numeric" pattern="[0-9]*" value={adding} onChange={(e) => setAdding(e.target.value)} />
          <button className="icon" type="submit" aria-label="Add port" title="Add a port" disabled={!adding}>
            <Plus size={15} />
          </button>
        </form>
        <span className="spacer" />
        <div className="device-toggle" role="radiogroup" aria-label="Device size">
          {devices.map(({ id, label, icon: Icon }) => (
            <button
              key={id}
              role="radio"
              aria-checked={device.id === id}
              className={device.id === id ? 'icon toggled' : 'icon'}
              aria-label={label}
              title={label}
              onClick={() => onLayout({ ...layout, device: id })}
            >
              <Icon size={15} />
            </button>
          ))}
        </div>
        <button className="icon" aria-label="Reload preview" title="Reload" disabled={!selected} onClick={() => setNonce((n) => n + 1)}>
          <RotateCw size={15} />
        </button>
        <a
          className={selected ? 'button icon' : 'button icon disabled'}
          aria-label="Open preview in a new tab"
          title="Open in a new browser tab"
          href={selected?.url}
          target="_blank"
          rel="noopener"
          aria-disabled={!selected}
        >
          <ExternalLink size={15} />
        </a>
        {selected?.source === 'added' && (
          <button
            className="icon"
            aria-label={`Remove port ${selected.port}`}
            title="Remove this port"
            onClick={() =>
              void removePreview(projectId, selected.port)
                .then(() => client.invalidateQueries({ queryKey: previewsQuery(projectId).queryKey }))
                .catch((error: unknown) => notifyError('The port could not be removed', error))
            }
          >
            <Trash2 size={15} />
          </button>
        )}
        {actions}
      </header>
      <div className="panel-body preview-body">
        {previews.isError && (
          <div className="panel-empty" role="alert">
            Previews could not be listed: {isApiError(previews.error) ? previews.error.detail : String(previews.error)}
          </div>
        )}
        {previews.isSuccess && !selected && (
          <div className="panel-empty">
            <p>No dev server yet.</p>
            <p className="hint">Start one in a terminal (for example <code>npm run dev</code> or <code>python3 -m http.server</code>) and it shows up here, or add its port above.</p>
          </div>
        )}
        {selected && !selected.listening && (
          <div className="panel-empty" role="status">
            <p>Nothing is listening on port {selected.port}.</p>
            <p className="hint">The dev server is not running (yet). Start it in a terminal; this page reloads by itself when it answers.</p>
          </div>
        )}
        {selected && selected.listening && (
          <div className={`preview-stage device-${device.id}`}>
            <iframe
              key={`${selected.port}-${nonce}`}
              title={`Preview of localhost:${selected.port}`}
              src={selected.url}
              style={device.width ? { width: device.width, height: device.height ?? undefined } : undefined}
              sandbox="allow-scripts allow-forms allow-same-origin allow-popups allow-modals allow-downloads"
            />
          </div>
        )}
      </div>
    </section>
  );
}
