/**
 * Compare two sides: pick them (or snapshot both orgs afresh), read the summary bar, walk the
 * changes with the keyboard (j/k or ↓/↑), review each one, tick some and hand them to a
 * deploy, or save the review report.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import type { DriftSide } from "../../bindings/DriftSide";
import type { NewDriftRule } from "../../bindings/NewDriftRule";
import type { OrgComparison } from "../../bindings/OrgComparison";
import type { OrgRecord } from "../../bindings/OrgRecord";
import type { SnapshotRecord } from "../../bindings/SnapshotRecord";
import { api } from "../../api/ipc";
import { keys, useJob } from "../../api/queries";
import { percent } from "../../shell/format";
import { ChangeList } from "./ChangeList";
import { ComponentDiffPanel } from "./ComponentDiffPanel";
import { DeployHandoffDialog, SaveReportDialog, SelectionBar } from "./DriftDialogs";
import {
  buildRows,
  type ChangeFilter,
  changeKey,
  defaultPair,
  emptyFilter,
  filterChanges,
  sideKey,
  stepChange,
  toggled,
} from "./driftModel";
import { type Pick, SidePicker } from "./SidePicker";
import { SummaryBar } from "./SummaryBar";

type Props = {
  snapshots: SnapshotRecord[];
  orgs: OrgRecord[];
  onIgnore: (rule: NewDriftRule) => void;
};

export function ComparePanel({ snapshots, orgs, onIgnore }: Props) {
  const client = useQueryClient();
  const [left, setLeft] = useState<Pick | null>(null);
  const [right, setRight] = useState<Pick | null>(null);
  const [pair, setPair] = useState<[DriftSide, DriftSide] | null>(null);
  const [filter, setFilter] = useState<ChangeFilter>(emptyFilter);
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const [current, setCurrent] = useState<string | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [dialog, setDialog] = useState<"report" | "deploy" | null>(null);
  // The job taking fresh snapshots for a comparison, and which sides it stands for.
  const [pending, setPending] = useState<{ job: number; picks: [Pick, Pick] } | null>(null);
  const [pendingError, setPendingError] = useState<string | null>(null);
  const filterRef = useRef<HTMLInputElement>(null);

  // Start from the production org against another org, the review most people come for.
  useEffect(() => {
    if (left || right || snapshots.length === 0) return;
    const production = new Set(orgs.filter((o) => o.kind === "production").map((o) => o.id));
    const initial = defaultPair(snapshots, production);
    if (initial) {
      setLeft(initial[0]);
      setRight(initial[1]);
      setPair(initial);
    }
  }, [snapshots, orgs, left, right]);

  const report = useQuery({
    queryKey: [...keys.drift, "compare", pair && sideKey(pair[0]), pair && sideKey(pair[1])],
    queryFn: () => (pair ? api.driftCompare(pair[0], pair[1]) : Promise.reject()),
    enabled: pair !== null,
  });
  const changes = report.data?.changes ?? [];
  const visible = useMemo(() => filterChanges(changes, filter), [changes, filter]);
  const rows = useMemo(() => buildRows(visible, collapsed), [visible, collapsed]);
  const currentChange = changes.find((c) => changeKey(c) === current) ?? null;

  // A new comparison starts a new review.
  const reportKey = pair ? `${sideKey(pair[0])}|${sideKey(pair[1])}` : "";
  const [lastReport, setLastReport] = useState(reportKey);
  if (reportKey !== lastReport) {
    setLastReport(reportKey);
    setCurrent(null);
    setSelected(new Set());
  }

  // j/k and ↓/↑ walk the changes; x ticks the current one; / jumps to the filter. Not while
  // typing.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target?.closest("input, select, textarea, .cm-editor, [role=dialog]")) return;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === "j" || e.key === "ArrowDown" || e.key === "k" || e.key === "ArrowUp") {
        e.preventDefault();
        const next = stepChange(visible, current, e.key === "j" || e.key === "ArrowDown" ? 1 : -1);
        if (next) setCurrent(changeKey(next));
      } else if (e.key === "x" && current) {
        setSelected((s) => toggled(s, current));
      } else if (e.key === "/") {
        e.preventDefault();
        filterRef.current?.focus();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [visible, current]);

  // Fresh snapshots: follow the job, then compare the snapshots it took.
  const job = useJob(pending?.job);
  useEffect(() => {
    if (!pending || !job || job.status === "running" || job.status === "queued") return;
    setPending(null);
    if (job.status !== "succeeded" || !job.result) {
      setPendingError(
        job.error ?? `The snapshot ${job.status === "cancelled" ? "was cancelled" : "failed"}.`,
      );
      return;
    }
    client.invalidateQueries({ queryKey: keys.snapshots });
    const sides = freshSides(pending.picks, job.result);
    setLeft(sides[0]);
    setRight(sides[1]);
    setPair(sides);
  }, [pending, job, client]);

  const compare = async () => {
    if (!left || !right) return;
    setPendingError(null);
    if (left.kind !== "org" && right.kind !== "org") {
      setPair([left, right]);
      return;
    }
    try {
      const job =
        left.kind === "org" && right.kind === "org"
          ? await api.driftCompareOrgs(left.orgId, right.orgId)
          : (
              await api.snapshotTake([left.kind === "org" ? left.orgId : (right as OrgPick).orgId])
            )[0];
      if (job === undefined) throw new Error("no snapshot job was started");
      setPending({ job, picks: [left, right] });
      client.invalidateQueries({ queryKey: keys.jobs });
    } catch (e) {
      setPendingError(e instanceof Error ? e.message : String(e));
    }
  };

  const labelOf = (side: DriftSide) =>
    side === pair?.[0]
      ? (report.data?.left.orgAlias ?? "left")
      : (report.data?.right.orgAlias ?? "right");
  const selectedRefs = changes
    .filter((c) => selected.has(changeKey(c)))
    .map((c) => ({ typeName: c.typeName, fullName: c.fullName }));
  const rightApi = snapshots.find(
    (s) => pair?.[1].kind === "snapshot" && s.id === pair[1].snapshotId,
  )?.apiVersion;

  return (
    <div className="compare">
      <div className="compare-picker card">
        <SidePicker
          label="Left"
          value={left}
          onChange={setLeft}
          snapshots={snapshots}
          orgs={orgs}
          offerFresh
        />
        <button
          type="button"
          className="button button-quiet swap"
          title="Swap sides"
          aria-label="Swap sides"
          onClick={() => {
            setLeft(right);
            setRight(left);
          }}
        >
          ⇄
        </button>
        <SidePicker
          label="Right"
          value={right}
          onChange={setRight}
          snapshots={snapshots}
          orgs={orgs}
          offerFresh
        />
        <div className="compare-actions">
          <button
            type="button"
            className="button button-primary"
            disabled={!left || !right || pending !== null}
            onClick={compare}
            title="Sides marked “take a fresh snapshot” are snapshotted first"
          >
            Compare
          </button>
        </div>
      </div>
      {job && (
        <div className="running-row card" role="status">
          <span className="job-title">{job.title}</span>
          <progress
            className="job-progress"
            max={100}
            value={percent(job.progressDone, job.progressTotal) ?? undefined}
          />
          <span className="job-progress-text">{job.phase ?? "Starting…"}</span>
        </div>
      )}
      {pendingError && <p className="form-error">{pendingError}</p>}
      {report.error && <p className="form-error">{report.error.message}</p>}
      {report.isLoading && <p className="muted">Comparing…</p>}
      {report.data && pair && (
        <>
          <SummaryBar
            report={report.data}
            filter={filter}
            onFilter={setFilter}
            onSaveReport={() => setDialog("report")}
          />
          {changes.length === 0 ? (
            <div className="empty-state">
              <h2>No drift</h2>
              <p>
                {report.data.left.description} and {report.data.right.description} hold the same
                metadata
                {report.data.ignoredCount > 0 &&
                  ` (${report.data.ignoredCount} change(s) hidden by ignore rules)`}
                .
              </p>
            </div>
          ) : (
            <div className="review">
              <div className="review-list">
                <div className="review-list-tools">
                  <input
                    ref={filterRef}
                    className="search"
                    type="search"
                    placeholder="Filter by name, label or summary  ( / )"
                    aria-label="Filter changes"
                    value={filter.text}
                    onChange={(e) => setFilter({ ...filter, text: e.target.value })}
                  />
                  <span className="muted keys-hint">
                    <kbd>j</kbd>/<kbd>k</kbd> next/previous · <kbd>x</kbd> select · <kbd>/</kbd>{" "}
                    filter
                  </span>
                </div>
                {visible.length === 0 ? (
                  <p className="muted">No change matches the filter.</p>
                ) : (
                  <ChangeList
                    rows={rows}
                    current={current}
                    selected={selected}
                    onOpen={setCurrent}
                    onToggleSelect={(key) => setSelected((s) => toggled(s, key))}
                    onToggleGroup={(t) => setCollapsed((s) => toggled(s, t))}
                    groupSelected={(t) =>
                      visible
                        .filter((c) => c.typeName === t)
                        .every((c) => selected.has(changeKey(c)))
                    }
                    onSelectGroup={(t, select) =>
                      setSelected((s) => {
                        const next = new Set(s);
                        for (const c of visible.filter((x) => x.typeName === t)) {
                          if (select) next.add(changeKey(c));
                          else next.delete(changeKey(c));
                        }
                        return next;
                      })
                    }
                  />
                )}
                <SelectionBar
                  count={selected.size}
                  onClear={() => setSelected(new Set())}
                  onDeploy={() => setDialog("deploy")}
                />
              </div>
              <div className="review-detail">
                {currentChange ? (
                  <ComponentDiffPanel
                    key={changeKey(currentChange)}
                    left={pair[0]}
                    right={pair[1]}
                    leftLabel={labelOf(pair[0])}
                    rightLabel={labelOf(pair[1])}
                    typeName={currentChange.typeName}
                    fullName={currentChange.fullName}
                    label={currentChange.label}
                    change={currentChange.change}
                    risks={currentChange.risks}
                    summary={currentChange.summary}
                    onIgnore={onIgnore}
                  />
                ) : (
                  <p className="muted review-hint">
                    Choose a change (or press <kbd>j</kbd>) to see what differs, element by element.
                  </p>
                )}
              </div>
            </div>
          )}
        </>
      )}
      {dialog === "report" && pair && (
        <SaveReportDialog left={pair[0]} right={pair[1]} onClose={() => setDialog(null)} />
      )}
      {dialog === "deploy" && (
        <DeployHandoffDialog
          components={selectedRefs}
          apiVersion={rightApi ?? null}
          onClose={() => setDialog(null)}
        />
      )}
    </div>
  );
}

type OrgPick = Extract<Pick, { kind: "org" }>;

/**
 * The sides to compare once the fresh-snapshot job is done: its result is an OrgComparison
 * when both sides were orgs, or the one new SnapshotRecord.
 */
function freshSides(picks: [Pick, Pick], result: unknown): [DriftSide, DriftSide] {
  const snap = (id: number): DriftSide => ({ kind: "snapshot", snapshotId: id });
  const both = result as Partial<OrgComparison>;
  if (both.leftSnapshot && both.rightSnapshot) {
    return [snap(both.leftSnapshot.id), snap(both.rightSnapshot.id)];
  }
  const one = snap((result as SnapshotRecord).id);
  const [l, r] = picks;
  return [l.kind === "org" ? one : l, r.kind === "org" ? one : r];
}
