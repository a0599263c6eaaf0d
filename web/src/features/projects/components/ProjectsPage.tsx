import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { Archive, ArchiveRestore, Download, FolderGit2, FolderOpen, GitBranch, Pencil, Plus, Search, Trash2 } from 'lucide-react';
import { Dialog, ErrorText } from '@/components/Dialog';
import {
  exportUrl,
  useArchiveProject,
  cancelClone,
  useCreateProject,
  useDeleteProject,
  useOpenProject,
  useProjects,
  useRenameProject,
  useScaffoldProject,
  type CloneOperation,
  type Project,
} from '../api';
import { describeProgress, overallPercent, runClone } from '../lib/clone-runner';

type DialogKind = { kind: 'create' } | { kind: 'open' } | { kind: 'clone' } | { kind: 'rename'; project: Project } | { kind: 'delete'; project: Project };

/** The projects list (`/`): search, create, open, clone, and each project's actions. */
export function ProjectsPage({ onOpenProject }: { onOpenProject: (id: string) => void }) {
  const projects = useProjects();
  const [search, setSearch] = useState('');
  const [showArchived, setShowArchived] = useState(false);
  const [dialog, setDialog] = useState<DialogKind | null>(null);
  const archive = useArchiveProject();

  const visible = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return (projects.data ?? [])
      .filter((p) => showArchived || !p.archived)
      .filter((p) => !needle || p.name.toLowerCase().includes(needle) || p.path.toLowerCase().includes(needle))
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }, [projects.data, search, showArchived]);

  return (
    <main className="projects-page">
      <header className="projects-header">
        <h1>Projects</h1>
        <div className="toolbar">
          <button className="primary" onClick={() => setDialog({ kind: 'create' })}>
            <Plus size={14} /> New project
          </button>
          <button onClick={() => setDialog({ kind: 'open' })}>
            <FolderOpen size={14} /> Open folder
          </button>
          <button onClick={() => setDialog({ kind: 'clone' })}>
            <GitBranch size={14} /> Clone
          </button>
        </div>
      </header>
      <div className="projects-filter">
        <label className="search-box">
          <Search size={14} aria-hidden />
          <input type="search" placeholder="Search projects" aria-label="Search projects" value={search} onChange={(e) => setSearch(e.target.value)} />
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={showArchived} onChange={(e) => setShowArchived(e.target.checked)} /> Show archived
        </label>
      </div>
      <ErrorText error={projects.error ?? archive.error} />
      {projects.isSuccess && visible.length === 0 && (
        <p className="empty-state">{projects.data.length === 0 ? 'No projects yet — create one, open a folder or clone a repository.' : 'No project matches.'}</p>
      )}
      <ul className="project-list" aria-label="Projects">
        {visible.map((project) => (
          <li key={project.id} className={project.archived ? 'project-row archived' : 'project-row'}>
            <button className="project-open" onClick={() => onOpenProject(project.id)} aria-label={`Open ${project.name}`}>
              <FolderGit2 size={16} aria-hidden />
              <span className="project-name">{project.name}</span>
              <span className="project-path">{project.path}</span>
              {project.archived && <span className="badge">archived</span>}
            </button>
            <div className="row-actions" role="group" aria-label={`${project.name} actions`}>
              <button className="icon" title="Rename" aria-label={`Rename ${project.name}`} onClick={() => setDialog({ kind: 'rename', project })}>
                <Pencil size={14} />
              </button>
              <button
                className="icon"
                title={project.archived ? 'Unarchive' : 'Archive'}
                aria-label={`${project.archived ? 'Unarchive' : 'Archive'} ${project.name}`}
                onClick={() => archive.mutate({ id: project.id, archived: !project.archived })}
              >
                {project.archived ? <ArchiveRestore size={14} /> : <Archive size={14} />}
              </button>
              <a className="icon button" title="Export as zip" aria-label={`Export ${project.name} as zip`} href={exportUrl(project.id, 'zip')} download>
                <Download size={14} />
              </a>
              <a className="icon button text" title="Export as git bundle" aria-label={`Export ${project.name} as git bundle`} href={exportUrl(project.id, 'bundle')} download>
                bundle
              </a>
              <button className="icon danger" title="Delete" aria-label={`Delete ${project.name}`} onClick={() => setDialog({ kind: 'delete', project })}>
                <Trash2 size={14} />
              </button>
            </div>
          </li>
        ))}
      </ul>
      {dialog?.kind === 'create' && <CreateDialog onClose={() => setDialog(null)} onCreated={onOpenProject} />}
      {dialog?.kind === 'open' && <OpenDialog onClose={() => setDialog(null)} onCreated={onOpenProject} />}
      {dialog?.kind === 'clone' && <CloneDialog onClose={() => setDialog(null)} onCreated={onOpenProject} />}
      {dialog?.kind === 'rename' && <RenameDialog project={dialog.project} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'delete' && <DeleteDialog project={dialog.project} onClose={() => setDialog(null)} />}
    </main>
  );
}

function CreateDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (id: string) => void }) {
  const create = useCreateProject();
  const scaffold = useScaffoldProject();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [path, setPath] = useState('');
  const [description, setDescription] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const where = path ? { path } : {};
    if (description.trim()) {
      // The server creates the project and starts the session whose first answer scaffolds it;
      // the workspace opens on that session and follows the answer as it streams.
      scaffold.mutate({ name, description: description.trim(), ...where }, { onSuccess: (s) => void navigate(`/p/${s.project.id}?session=${s.sessionId}`) });
    } else {
      create.mutate({ name, ...where }, { onSuccess: (p) => onCreated(p.id) });
    }
  };
  const busy = create.isPending || scaffold.isPending;
  return (
    <Dialog title="New project" onClose={onClose}>
      <form onSubmit={submit} className="dialog-form">
        <label>
          Name
          <input autoFocus value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <label>
          Directory <span className="hint">(optional; default: under the data directory)</span>
          <input value={path} onChange={(e) => setPath(e.target.value)} placeholder="/home/me/code/app" />
        </label>
        <label>
          Describe what to build <span className="hint">(optional; the model scaffolds it from a built-in template, then edits it)</span>
          <textarea aria-label="Describe what to build" rows={3} value={description} onChange={(e) => setDescription(e.target.value)} placeholder="A small Flask API with a /health route and tests" />
        </label>
        {scaffold.isPending && (
          <p role="status" className="hint">
            Creating the project and asking the model to scaffold it…
          </p>
        )}
        <ErrorText error={create.error ?? scaffold.error} />
        <DialogButtons onClose={onClose} busy={busy} label="Create" />
      </form>
    </Dialog>
  );
}

function OpenDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (id: string) => void }) {
  const open = useOpenProject();
  const [path, setPath] = useState('');
  const [initGit, setInitGit] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    open.mutate({ path, initGit }, { onSuccess: (p) => onCreated(p.id) });
  };
  return (
    <Dialog title="Open folder" onClose={onClose}>
      <form onSubmit={submit} className="dialog-form">
        <label>
          Directory on the server
          <input autoFocus value={path} onChange={(e) => setPath(e.target.value)} required placeholder="/home/me/code/app" />
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={initGit} onChange={(e) => setInitGit(e.target.checked)} /> Create a git repository if there is none
        </label>
        <ErrorText error={open.error} />
        <DialogButtons onClose={onClose} busy={open.isPending} label="Open" />
      </form>
    </Dialog>
  );
}

function CloneDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (id: string) => void }) {
  const client = useQueryClient();
  const [url, setUrl] = useState('');
  const [path, setPath] = useState('');
  const [clone, setClone] = useState<CloneOperation | null>(null);
  const [error, setError] = useState<unknown>(null);
  const mounted = useRef(true);
  useEffect(() => () => void (mounted.current = false), []);
  const running = clone?.state === 'running';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setClone(null);
    // The clone runs on the server and in the notification centre: closing this dialog leaves it running there.
    runClone({ url, ...(path ? { path } : {}) }, (c) => mounted.current && setClone(c))
      .then((done) => {
        void client.invalidateQueries({ queryKey: ['projects'] });
        if (mounted.current && done.project) onCreated(done.project.id);
      })
      .catch((failure: unknown) => mounted.current && setError(failure));
  };
  return (
    <Dialog title="Clone a repository" onClose={onClose}>
      <form onSubmit={submit} className="dialog-form">
        <label>
          Repository URL or path
          <input autoFocus value={url} onChange={(e) => setUrl(e.target.value)} required placeholder="https://… or /srv/git/app.git" disabled={running} />
        </label>
        <label>
          Directory <span className="hint">(optional)</span>
          <input value={path} onChange={(e) => setPath(e.target.value)} disabled={running} />
        </label>
        {clone && clone.state !== 'failed' && clone.state !== 'cancelled' && (
          <div className="clone-progress" role="status" aria-label="Clone progress">
            <span>{clone.state === 'succeeded' ? 'Cloned; opening…' : describeProgress(clone)}</span>
            <div className="clone-progress-bar" role="progressbar" aria-label="Cloning" aria-valuemin={0} aria-valuemax={100} aria-valuenow={overallPercent(clone)}>
              <div style={{ width: `${overallPercent(clone)}%` }} />
            </div>
          </div>
        )}
        <ErrorText error={error} />
        <div className="dialog-buttons">
          {running ? (
            <>
              <button type="button" onClick={onClose} title="The clone goes on; the notification centre shows it">
                Continue in background
              </button>
              <button type="button" className="danger" onClick={() => void cancelClone(clone.id).catch(setError)}>
                Cancel clone
              </button>
            </>
          ) : (
            <>
              <button type="button" onClick={onClose}>
                Cancel
              </button>
              <button type="submit" className="primary" disabled={clone?.state === 'succeeded'}>
                Clone
              </button>
            </>
          )}
        </div>
      </form>
    </Dialog>
  );
}

function RenameDialog({ project, onClose }: { project: Project; onClose: () => void }) {
  const rename = useRenameProject();
  const [name, setName] = useState(project.name);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    rename.mutate({ id: project.id, name }, { onSuccess: onClose });
  };
  return (
    <Dialog title={`Rename ${project.name}`} onClose={onClose}>
      <form onSubmit={submit} className="dialog-form">
        <label>
          Name
          <input autoFocus value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <ErrorText error={rename.error} />
        <DialogButtons onClose={onClose} busy={rename.isPending} label="Rename" />
      </form>
    </Dialog>
  );
}

function DeleteDialog({ project, onClose }: { project: Project; onClose: () => void }) {
  const remove = useDeleteProject();
  const [deleteFiles, setDeleteFiles] = useState(false);
  const [typed, setTyped] = useState('');
  const confirmed = !deleteFiles || typed === project.name;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (confirmed) remove.mutate({ id: project.id, deleteFiles }, { onSuccess: onClose });
  };
  return (
    <Dialog title={`Delete ${project.name}`} onClose={onClose}>
      <form onSubmit={submit} className="dialog-form">
        <p>Wright forgets the project and its sessions. The directory stays unless you also delete its files.</p>
        <label className="checkbox">
          <input type="checkbox" checked={deleteFiles} onChange={(e) => setDeleteFiles(e.target.checked)} /> Also delete the files in {project.path}
        </label>
        {deleteFiles && (
          <label>
            Type <strong>{project.name}</strong> to confirm
            <input autoFocus value={typed} onChange={(e) => setTyped(e.target.value)} aria-label="Project name to confirm" />
          </label>
        )}
        <ErrorText error={remove.error} />
        <div className="dialog-buttons">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="danger" disabled={!confirmed || remove.isPending}>
            Delete
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function DialogButtons({ onClose, busy, label }: { onClose: () => void; busy: boolean; label: string }) {
  return (
    <div className="dialog-buttons">
      <button type="button" onClick={onClose}>
        Cancel
      </button>
      <button type="submit" className="primary" disabled={busy}>
        {label}
      </button>
    </div>
  );
}
