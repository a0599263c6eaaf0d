import { useEffect, useRef, type ReactNode } from 'react';

/** A modal dialog (the native one: focus stays inside, Esc closes) with a title that names it. */
export function Dialog({ title, onClose, children, wide }: { title: string; onClose: () => void; children: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className={wide ? 'dialog wide' : 'dialog'}
      aria-label={title}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <header className="dialog-title">{title}</header>
      <div className="dialog-body">{children}</div>
    </dialog>
  );
}

/** A problem shown as its detail, with its code for reporting. */
export function ErrorText({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  const detail = error instanceof Error && 'detail' in error ? String((error as { detail: unknown }).detail) : error instanceof Error ? error.message : String(error);
  const code = error instanceof Error && 'code' in error ? String((error as { code: unknown }).code) : null;
  return (
    <p role="alert" className="form-error">
      {detail}
      {code && <span className="error-code"> ({code})</span>}
    </p>
  );
}
