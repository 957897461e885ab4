/**
 * Snapshots: take snapshots of one or many orgs (each a job with live progress), list them
 * with sizes and warnings, browse one, import a project folder or zip, export, delete.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { ExportFormat } from "../../bindings/ExportFormat";
import type { SnapshotRecord } from "../../bindings/SnapshotRecord";
import { api } from "../../api/ipc";
import { keys, useJob, useJobs, useOrgs, useSnapshots } from "../../api/queries";
import { Dialog, DialogActions } from "../../shell/Dialog";
import { formatBytes, formatRelative, percent } from "../../shell/format";
import { DatabaseIcon } from "../../shell/icons";
import { SegmentedChoice } from "../../shell/Segmented";
import { OrgChip } from "../orgs/OrgChip";
import { SnapshotBrowser } from "./SnapshotBrowser";
import { ErrorBanner } from "../../shell/ErrorBanner";
import "./snapshots.css";

const snapshotsKey = keys.snapshots;

/** The export formats the backend offers (ExportFormat is generated from the Rust enum). */
const exportFormats: (readonly [ExportFormat, string])[] = [
  ["mdapi", "Metadata API zip"],
  ["source", "Source format (sfdx project)"],
];

type Open =
  | { kind: "take" }
  | { kind: "import" }
  | { kind: "export"; snapshot: SnapshotRecord }
  | { kind: "delete"; snapshot: SnapshotRecord }
  | null;

export function SnapshotsView() {
  const snapshots = useSnapshots();
  const jobs = useJobs();
  const client = useQueryClient();
  const [open, setOpen] = useState<Open>(null);
  const [browsing, setBrowsing] = useState<SnapshotRecord | null>(null);
  const running = (jobs.data ?? []).filter(
    (j) =>
      (j.kind === "snapshot" || j.kind === "snapshot_import") &&
      (j.status === "running" || j.status === "queued"),
  );
  const runningKey = running.map((j) => j.id).join(",");
  // A snapshot job that just finished adds a row: refetch when the set of running jobs changes.
  const [lastRunning, setLastRunning] = useState(runningKey);
  if (runningKey !== lastRunning) {
    setLastRunning(runningKey);
    client.invalidateQueries({ queryKey: snapshotsKey });
  }

  if (browsing) return <SnapshotBrowser snapshot={browsing} onBack={() => setBrowsing(null)} />;
  const all = snapshots.data ?? [];

  return (
    <section className="view" aria-labelledby="snapshots-title">
      <header className="view-header">
        <div>
          <h1 id="snapshots-title">Snapshots</h1>
          <p className="view-subtitle">
            Every org's metadata, kept locally. Repeating a snapshot stores only what changed.
          </p>
        </div>
        <div className="header-actions">
          <button type="button" className="button" onClick={() => setOpen({ kind: "import" })}>
            Import…
          </button>
          <button
            type="button"
            className="button button-primary"
            onClick={() => setOpen({ kind: "take" })}
          >
            <DatabaseIcon size={16} /> Take snapshot
          </button>
        </div>
      </header>

      {running.length > 0 && (
        <section className="card running-snapshots" aria-label="Snapshots in progress">
          {running.map((j) => {
            const pct = percent(j.progressDone, j.progressTotal);
            return (
              <div key={j.id} className="running-row">
                <span className="job-title">{j.title}</span>
                <progress className="job-progress" max={100} value={pct ?? undefined} />
                <span className="job-progress-text">
                  {pct === null ? "Starting…" : `${pct}%`} · {j.phase}
                </span>
                <button
                  type="button"
                  className="button button-quiet"
                  onClick={() => api.jobCancel(j.id)}
                >
                  Cancel
                </button>
              </div>
            );
          })}
        </section>
      )}

      {snapshots.error && <ErrorBanner error={snapshots.error} />}
      {snapshots.isLoading ? (
        <p className="muted">Loading snapshots…</p>
      ) : all.length === 0 ? (
        <div className="empty-state">
          <DatabaseIcon size={28} />
          <h2>No snapshots yet — take one</h2>
          <p>
            A snapshot copies an org's metadata into Orgfleet's local store, so you can browse it,
            compare orgs and roll back. You can also import a project folder or a package zip.
          </p>
          <button type="button" className="button" onClick={() => setOpen({ kind: "take" })}>
            Take snapshot
          </button>
        </div>
      ) : (
        <table className="table" aria-label="Snapshots">
          <thead>
            <tr>
              <th>Source</th>
              <th>Taken</th>
              <th className="num">Components</th>
              <th className="num">Size</th>
              <th>Warnings</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {all.map((s) => (
              <SnapshotRow
                key={s.id}
                snapshot={s}
                onBrowse={() => setBrowsing(s)}
                onExport={() => setOpen({ kind: "export", snapshot: s })}
                onDelete={() => setOpen({ kind: "delete", snapshot: s })}
              />
            ))}
          </tbody>
        </table>
      )}

      {open?.kind === "take" && <TakeDialog onClose={() => setOpen(null)} />}
      {open?.kind === "import" && <ImportDialog onClose={() => setOpen(null)} />}
      {open?.kind === "export" && (
        <ExportDialog snapshot={open.snapshot} onClose={() => setOpen(null)} />
      )}
      {open?.kind === "delete" && (
        <DeleteDialog snapshot={open.snapshot} onClose={() => setOpen(null)} />
      )}
    </section>
  );
}

function SnapshotRow(props: {
  snapshot: SnapshotRecord;
  onBrowse: () => void;
  onExport: () => void;
  onDelete: () => void;
}) {
  const { snapshot: s } = props;
  const orgs = useOrgs();
  const source = s.source;
  const org = source.kind === "org" ? orgs.data?.find((o) => o.id === source.orgRowId) : undefined;
  return (
    <tr aria-label={s.label}>
      <td>
        {org ? <OrgChip org={org} /> : <span className="tag">imported</span>}{" "}
        {s.label !== org?.alias && <span className="muted">{s.label}</span>}
      </td>
      <td title={new Date(s.createdAt).toLocaleString()}>
        {formatRelative(s.createdAt, Date.now())}
      </td>
      <td className="num">{s.componentCount.toLocaleString()}</td>
      <td className="num">{formatBytes(s.totalBytes)}</td>
      <td>
        {s.warnings.length > 0 ? (
          <span className="badge badge-interrupted">{s.warnings.length} warning(s)</span>
        ) : (
          <span className="muted">none</span>
        )}
      </td>
      <td className="row-actions">
        <button type="button" className="button button-quiet" onClick={props.onBrowse}>
          Browse
        </button>
        <button type="button" className="button button-quiet" onClick={props.onExport}>
          Export
        </button>
        <button type="button" className="button button-quiet" onClick={props.onDelete}>
          Delete
        </button>
      </td>
    </tr>
  );
}

function TakeDialog({ onClose }: { onClose: () => void }) {
  const orgs = useOrgs();
  const client = useQueryClient();
  const [chosen, setChosen] = useState<number[]>([]);
  const take = useMutation({
    mutationFn: () => api.snapshotTake(chosen),
    onSuccess: () => {
      client.invalidateQueries({ queryKey: keys.jobs });
      onClose();
    },
  });
  const toggle = (id: number) =>
    setChosen((c) => (c.includes(id) ? c.filter((x) => x !== id) : [...c, id]));
  return (
    <Dialog
      title="Take snapshots"
      onClose={onClose}
      footer={
        <DialogActions
          onCancel={onClose}
          onConfirm={() => take.mutate()}
          confirmLabel={
            <>
              Snapshot {chosen.length || ""} org{chosen.length === 1 ? "" : "s"}
            </>
          }
          disabled={chosen.length === 0 || take.isPending}
        />
      }
    >
      {(orgs.data ?? []).length === 0 && (
        <p className="muted">Connect an org first (Orgs → Connect an org).</p>
      )}
      <div className="org-picks">
        {(orgs.data ?? []).map((o) => (
          <label key={o.id} className="form-check">
            <input type="checkbox" checked={chosen.includes(o.id)} onChange={() => toggle(o.id)} />
            <OrgChip org={o} /> <span className="muted">{o.name}</span>
          </label>
        ))}
      </div>
      {take.error && <p className="form-error">{take.error.message}</p>}
    </Dialog>
  );
}

function ImportDialog({ onClose }: { onClose: () => void }) {
  const [path, setPath] = useState("");
  const [jobId, setJobId] = useState<number | null>(null);
  const client = useQueryClient();
  const run = useMutation({
    mutationFn: () => api.snapshotImport(path.trim()),
    onSuccess: (id) => {
      setJobId(id);
      client.invalidateQueries({ queryKey: keys.jobs });
    },
  });
  // The import is a job: follow it here, close on success, keep the dialog on failure.
  const job = useJob(jobId);
  const running = jobId !== null && (!job || job.status === "queued" || job.status === "running");
  useEffect(() => {
    if (job?.status === "succeeded") {
      client.invalidateQueries({ queryKey: snapshotsKey });
      onClose();
    }
  }, [job?.status, client, onClose]);
  const failure = job && job.status !== "succeeded" && !running ? (job.error ?? job.status) : null;
  return (
    <Dialog
      title="Import a project as a snapshot"
      onClose={onClose}
      footer={
        <DialogActions
          onCancel={onClose}
          onConfirm={() => {
            setJobId(null);
            run.mutate();
          }}
          confirmLabel={running ? "Importing…" : "Import"}
          disabled={!path.trim() || run.isPending || running}
        />
      }
    >
      <label className="form-row">
        <span>An sfdx project folder, an mdapi folder (with package.xml) or a package zip</span>
        <input
          value={path}
          onChange={(e) => setPath(e.target.value)}
          placeholder="/home/me/projects/acme"
          spellCheck={false}
        />
      </label>
      {running && job && (
        <p className="muted" role="status">
          {job.phase ?? "Starting…"}
        </p>
      )}
      {run.error && <p className="form-error">{run.error.message}</p>}
      {failure && <p className="form-error">{failure}</p>}
    </Dialog>
  );
}

function ExportDialog({ snapshot, onClose }: { snapshot: SnapshotRecord; onClose: () => void }) {
  const [dest, setDest] = useState("");
  const [format, setFormat] = useState<ExportFormat>("mdapi");
  const run = useMutation({
    mutationFn: () => api.snapshotExport(snapshot.id, dest.trim(), format),
  });
  return (
    <Dialog
      title={`Export ${snapshot.label}`}
      onClose={onClose}
      footer={
        <DialogActions
          onCancel={onClose}
          cancelLabel="Close"
          onConfirm={() => run.mutate()}
          confirmLabel="Export"
          disabled={!dest.trim() || run.isPending}
        />
      }
    >
      <SegmentedChoice
        label="Format"
        name="format"
        options={exportFormats}
        value={format}
        onChange={setFormat}
      />
      <label className="form-row">
        <span>{format === "mdapi" ? "Zip file to write" : "Folder to write"}</span>
        <input
          value={dest}
          onChange={(e) => setDest(e.target.value)}
          placeholder={format === "mdapi" ? "/home/me/acme-prod.zip" : "/home/me/acme-prod-project"}
          spellCheck={false}
        />
      </label>
      {run.data && <p className="job-summary">Written to {run.data}</p>}
      {run.error && <p className="form-error">{run.error.message}</p>}
    </Dialog>
  );
}

function DeleteDialog({ snapshot, onClose }: { snapshot: SnapshotRecord; onClose: () => void }) {
  const client = useQueryClient();
  const run = useMutation({
    mutationFn: () => api.snapshotDelete(snapshot.id),
    onSuccess: () => {
      client.invalidateQueries({ queryKey: snapshotsKey });
      onClose();
    },
  });
  return (
    <Dialog
      title={`Delete ${snapshot.label}?`}
      onClose={onClose}
      footer={
        <DialogActions
          onCancel={onClose}
          cancelLabel="Keep it"
          onConfirm={() => run.mutate()}
          confirmLabel="Delete snapshot"
          disabled={run.isPending}
          danger
        />
      }
    >
      <p>
        The snapshot is removed from the local store; content no other snapshot uses is freed. The
        org itself is not touched.
      </p>
      {run.error && <p className="form-error">{run.error.message}</p>}
    </Dialog>
  );
}
