/**
 * Activity: every long-running job with live progress, history, and cancel. Jobs stream in
 * over the backend's job Channel; the list is virtualized so years of history stay smooth.
 */
import { useEffect, useMemo, useState } from "react";
import type { JobRecord } from "../../bindings/JobRecord";
import { useAppInfo, useCancelJob, useJobs, useStartStoreCheck } from "../../api/queries";
import { AlertIcon, DatabaseIcon } from "../../shell/icons";
import { JobRow } from "./JobRow";
import { isActive, isProblem } from "./jobText";
import { useVirtualRows } from "../../shell/virtualList";
import { ErrorBanner } from "../../shell/ErrorBanner";

type Filter = "all" | "active" | "problems";

const filters: { id: Filter; label: string; test: (job: JobRecord) => boolean }[] = [
  { id: "all", label: "All", test: () => true },
  { id: "active", label: "Running", test: isActive },
  { id: "problems", label: "Problems", test: isProblem },
];

const ROW_HEIGHT = 92;

/** Re-renders every second while something runs, so durations tick. */
function useNow(ticking: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    setNow(Date.now());
    if (!ticking) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [ticking]);
  return now;
}

export function ActivityView() {
  const jobs = useJobs();
  const info = useAppInfo();
  const start = useStartStoreCheck();
  const cancel = useCancelJob();
  const [filter, setFilter] = useState<Filter>("all");
  const all = jobs.data ?? [];
  const anyActive = all.some(isActive);
  const now = useNow(anyActive);
  const visible = useMemo(() => {
    const test = filters.find((f) => f.id === filter)?.test ?? (() => true);
    return all.filter(test);
  }, [all, filter]);
  const counts = useMemo(
    () => Object.fromEntries(filters.map((f) => [f.id, all.filter(f.test).length])),
    [all],
  );

  const { scrollRef, virtualizer } = useVirtualRows(visible.length, ROW_HEIGHT, 8);
  const interrupted = info.data?.interruptedAtStart ?? 0;

  return (
    <section className="view" aria-labelledby="activity-title">
      <header className="view-header">
        <div>
          <h1 id="activity-title">Activity</h1>
          <p className="view-subtitle">
            Everything Orgfleet runs in the background, with live progress and a full history.
          </p>
        </div>
        <button
          type="button"
          className="button button-primary"
          onClick={() => start.mutate()}
          disabled={start.isPending}
        >
          <DatabaseIcon size={16} />
          {start.isPending ? "Starting…" : "Check store"}
        </button>
      </header>

      {interrupted > 0 && (
        <div className="banner banner-warning" role="status">
          <AlertIcon size={16} />
          {interrupted === 1
            ? "1 job was interrupted when Orgfleet last stopped. It is marked below; start it again when ready."
            : `${interrupted} jobs were interrupted when Orgfleet last stopped. They are marked below; start them again when ready.`}
        </div>
      )}
      {start.error && <ErrorBanner error={start.error} />}
      {cancel.error && <ErrorBanner error={cancel.error} />}

      <div className="toolbar" role="tablist" aria-label="Filter jobs">
        {filters.map((f) => (
          <button
            key={f.id}
            type="button"
            role="tab"
            aria-selected={filter === f.id}
            className={`chip ${filter === f.id ? "chip-selected" : ""}`}
            onClick={() => setFilter(f.id)}
          >
            {f.label}
            <span className="chip-count">{counts[f.id] ?? 0}</span>
          </button>
        ))}
      </div>

      {jobs.isLoading ? (
        <p className="muted">Loading activity…</p>
      ) : jobs.error ? (
        <ErrorBanner error={jobs.error} />
      ) : visible.length === 0 ? (
        <div className="empty-state">
          <DatabaseIcon size={28} />
          {all.length === 0 ? (
            <>
              <h2>No activity yet</h2>
              <p>
                Long tasks — snapshots, deploys, operations across orgs — show up here with live
                progress. Run a store check to see one now.
              </p>
              <button type="button" className="button" onClick={() => start.mutate()}>
                Check store
              </button>
            </>
          ) : (
            <>
              <h2>Nothing here</h2>
              <p>No job matches this filter.</p>
            </>
          )}
        </div>
      ) : (
        <div className="job-list" ref={scrollRef} data-testid="job-list">
          <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
            {virtualizer.getVirtualItems().map((item) => {
              const job = visible[item.index];
              if (!job) return null;
              return (
                <div
                  key={job.id}
                  className="job-list-item"
                  style={{ transform: `translateY(${item.start}px)`, height: item.size }}
                >
                  <JobRow
                    job={job}
                    now={now}
                    onCancel={(id) => cancel.mutate(id)}
                    cancelling={cancel.isPending && cancel.variables === job.id}
                  />
                </div>
              );
            })}
          </div>
        </div>
      )}
    </section>
  );
}
