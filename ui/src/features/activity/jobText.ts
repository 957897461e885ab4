/** Words for jobs: status labels, kind labels and one-line result summaries. */
import type { JobKind } from "../../bindings/JobKind";
import type { JobRecord } from "../../bindings/JobRecord";
import type { JobStatus } from "../../bindings/JobStatus";
import type { MaintenanceReport } from "../../bindings/MaintenanceReport";
import { formatBytes } from "../../shell/format";

export const statusLabel: Record<JobStatus, string> = {
  queued: "Queued",
  running: "Running",
  succeeded: "Done",
  failed: "Failed",
  cancelled: "Cancelled",
  interrupted: "Interrupted",
};

export const kindLabel: Record<JobKind, string> = {
  store_maintenance: "Store check",
  org_connect: "Connect org",
  snapshot: "Snapshot",
  snapshot_import: "Import snapshot",
};

export function isActive(job: JobRecord): boolean {
  return job.status === "queued" || job.status === "running";
}

export function isProblem(job: JobRecord): boolean {
  return job.status === "failed" || job.status === "interrupted";
}

function isMaintenanceReport(value: unknown): value is MaintenanceReport {
  return (
    typeof value === "object" && value !== null && "problems" in value && "bytesAfter" in value
  );
}

/** A one-line summary of what a finished job produced. */
export function resultSummary(job: JobRecord): string | null {
  if (job.status !== "succeeded") return null;
  if (job.kind === "store_maintenance" && isMaintenanceReport(job.result)) {
    const r = job.result;
    const health = r.problems.length === 0 ? "Healthy" : `${r.problems.length} problem(s)`;
    const size = r.compacted
      ? `compacted ${formatBytes(r.bytesBefore)} → ${formatBytes(r.bytesAfter)}`
      : `${formatBytes(r.bytesAfter)} on disk`;
    return `${health} · ${size}`;
  }
  return null;
}
