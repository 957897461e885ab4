/** One job in the Activity list: status, title, live progress, timing, result or error. */
import type { JobRecord } from "../../bindings/JobRecord";
import { formatDuration, formatRelative, percent } from "../../shell/format";
import { isActive, isProblem, kindLabel, resultSummary, statusLabel } from "./jobText";

type Props = {
  job: JobRecord;
  now: number;
  onCancel: (id: number) => void;
  cancelling: boolean;
};

export function JobRow({ job, now, onCancel, cancelling }: Props) {
  const pct = percent(job.progressDone, job.progressTotal);
  const active = isActive(job);
  const end = job.finishedAt ?? now;
  const took = job.startedAt ? formatDuration(end - job.startedAt) : null;
  const summary = resultSummary(job);
  return (
    <article className={`job-row status-${job.status}`} aria-label={job.title} data-job-id={job.id}>
      <span className={`status-dot status-${job.status}`} aria-hidden="true" />
      <div className="job-main">
        <div className="job-title-line">
          <span className="job-title">{job.title}</span>
          <span className="job-kind">{kindLabel[job.kind]}</span>
          <span className={`badge badge-${job.status}`} data-testid="job-status">
            {statusLabel[job.status]}
          </span>
        </div>
        <div className="job-progress-line">
          <progress
            className="job-progress"
            max={100}
            value={pct ?? undefined}
            aria-label={`Progress of ${job.title}`}
            data-testid="job-progress"
            data-percent={pct ?? ""}
          />
          <span className="job-progress-text">
            {pct === null ? "Starting…" : `${pct}%`}
            {job.progressTotal !== null && ` · ${job.progressDone} of ${job.progressTotal}`}
            {active && job.phase && ` · ${job.phase}`}
          </span>
        </div>
        <div className="job-meta">
          <span title={new Date(job.createdAt).toLocaleString()}>
            {formatRelative(job.createdAt, now)}
          </span>
          {took && <span>{active ? `running for ${took}` : `took ${took}`}</span>}
          {summary && <span className="job-summary">{summary}</span>}
        </div>
        {isProblem(job) && job.error && (
          <p className="job-error" role="alert">
            {job.error}
          </p>
        )}
      </div>
      <div className="job-actions">
        {active && (
          <button
            type="button"
            className="button button-quiet"
            onClick={() => onCancel(job.id)}
            disabled={cancelling}
          >
            {cancelling ? "Cancelling…" : "Cancel"}
          </button>
        )}
      </div>
    </article>
  );
}
