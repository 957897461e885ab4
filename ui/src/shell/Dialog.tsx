/** A modal dialog: focus moves in on open, Escape closes, the backdrop dims the app. */
import { type ReactNode, useEffect, useRef } from "react";

type Props = {
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer: ReactNode;
  width?: number;
};

export function Dialog({ title, onClose, children, footer, width = 520 }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const first = ref.current?.querySelector<HTMLElement>("input, select, textarea, button");
    first?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") onClose();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);
  return (
    <div className="backdrop">
      <div
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-label={title}
        ref={ref}
        style={{ width }}
      >
        <h2 className="dialog-title">{title}</h2>
        <div className="dialog-body">{children}</div>
        <div className="dialog-footer">{footer}</div>
      </div>
    </div>
  );
}

type ActionsProps = {
  onCancel: () => void;
  cancelLabel?: string;
  onConfirm: () => void;
  confirmLabel: ReactNode;
  disabled?: boolean;
  /** Red confirm button, for actions that remove something. */
  danger?: boolean;
};

/** The usual footer: a way out on the left of the one primary action. */
export function DialogActions({
  onCancel,
  cancelLabel = "Cancel",
  onConfirm,
  confirmLabel,
  disabled = false,
  danger = false,
}: ActionsProps) {
  return (
    <>
      <button type="button" className="button" onClick={onCancel}>
        {cancelLabel}
      </button>
      <button
        type="button"
        className={danger ? "button button-danger" : "button button-primary"}
        onClick={onConfirm}
        disabled={disabled}
      >
        {confirmLabel}
      </button>
    </>
  );
}
