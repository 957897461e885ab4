/**
 * The Drift page's two hand-offs: the review report on disk (self-contained HTML for people,
 * JSON and CSV for tools) and "Deploy these" (the selection as a package.xml, which is how a
 * selection travels to a deploy, ours or the Salesforce CLI's).
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { ComponentRef } from "../../bindings/ComponentRef";
import type { DriftSide } from "../../bindings/DriftSide";
import type { ReportFormat } from "../../bindings/ReportFormat";
import { api } from "../../api/ipc";
import { Dialog, DialogActions } from "../../shell/Dialog";
import { SegmentedChoice } from "../../shell/Segmented";

const formats: [ReportFormat, string, string][] = [
  ["html", "HTML review page", "drift-review.html"],
  ["json", "JSON", "drift.json"],
  ["csv", "CSV", "drift.csv"],
];

export function SaveReportDialog(props: {
  left: DriftSide;
  right: DriftSide;
  onClose: () => void;
}) {
  const [format, setFormat] = useState<ReportFormat>("html");
  const [dest, setDest] = useState("");
  const save = useMutation({
    mutationFn: () => api.driftReportSave(props.left, props.right, format, dest.trim()),
  });
  const example = formats.find((f) => f[0] === format)?.[2] ?? "drift.html";
  return (
    <Dialog
      title="Save the review report"
      onClose={props.onClose}
      footer={
        <DialogActions
          onCancel={props.onClose}
          cancelLabel="Close"
          onConfirm={() => save.mutate()}
          confirmLabel="Save report"
          disabled={!dest.trim() || save.isPending}
        />
      }
    >
      <p className="muted">
        The HTML page opens offline in any browser: summary, a section per type, risk flags and each
        change's diff. Attach it to the release ticket.
      </p>
      <SegmentedChoice
        label="Report format"
        name="report-format"
        options={formats.map(([id, label]) => [id, label] as const)}
        value={format}
        onChange={setFormat}
      />
      <label className="form-row">
        <span>File to write</span>
        <input
          value={dest}
          onChange={(e) => setDest(e.target.value)}
          placeholder={`/home/me/${example}`}
          spellCheck={false}
        />
      </label>
      {save.data && <p className="job-summary">Written to {save.data}</p>}
      {save.error && <p className="form-error">{save.error.message}</p>}
    </Dialog>
  );
}

/** Shown while components are ticked: how many, a way to clear, and "Deploy these…". */
export function SelectionBar(props: {
  count: number;
  note?: string;
  onClear: () => void;
  onDeploy: () => void;
}) {
  if (props.count === 0) return null;
  return (
    <section className="selection-bar" aria-label="Selection">
      <span>
        {props.count.toLocaleString()} selected{props.note ? ` — ${props.note}` : ""}
      </span>
      <button type="button" className="button button-quiet" onClick={props.onClear}>
        Clear
      </button>
      <button type="button" className="button button-primary" onClick={props.onDeploy}>
        Deploy these…
      </button>
    </section>
  );
}

export function DeployHandoffDialog(props: {
  components: ComponentRef[];
  apiVersion: string | null;
  onClose: () => void;
}) {
  const { components, apiVersion } = props;
  const [dest, setDest] = useState("");
  const xml = useQuery({
    queryKey: ["package-xml", components, apiVersion],
    queryFn: () => api.driftPackageXml(components, apiVersion),
  });
  const save = useMutation({
    mutationFn: () => api.driftPackageXmlSave(components, apiVersion, dest.trim()),
  });
  return (
    <Dialog
      title={`Deploy ${components.length} component${components.length === 1 ? "" : "s"}`}
      onClose={props.onClose}
      width={640}
      footer={
        <DialogActions
          onCancel={props.onClose}
          cancelLabel="Close"
          onConfirm={() => save.mutate()}
          confirmLabel="Save package.xml"
          disabled={!dest.trim() || save.isPending}
        />
      }
    >
      <p>
        Orgfleet's own deploy (dependency scan, backup and rollback) is not built yet. Until it is,
        this selection travels as a <code>package.xml</code>: save it and deploy with{" "}
        <code>sf project deploy start --manifest package.xml</code>.
      </p>
      {xml.error && <p className="form-error">{xml.error.message}</p>}
      <pre className="code package-xml" data-testid="package-xml">
        {xml.data ?? "…"}
      </pre>
      <label className="form-row">
        <span>Where to save it</span>
        <input
          value={dest}
          onChange={(e) => setDest(e.target.value)}
          placeholder="/home/me/projects/acme/manifest/package.xml"
          spellCheck={false}
        />
      </label>
      {save.data && <p className="job-summary">Written to {save.data}</p>}
      {save.error && <p className="form-error">{save.error.message}</p>}
    </Dialog>
  );
}
