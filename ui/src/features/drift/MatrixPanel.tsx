/**
 * The N-org matrix: a baseline (an org's snapshot, an import or a project folder) against
 * many orgs. Each org gets a conformance score; each component that is not the same
 * everywhere is a heatmap row (same, different, missing, extra), filterable by type, name
 * and state; any cell opens that component's semantic diff against the baseline.
 */
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import type { CellState } from "../../bindings/CellState";
import type { DriftSide } from "../../bindings/DriftSide";
import type { NewDriftRule } from "../../bindings/NewDriftRule";
import type { OrgRecord } from "../../bindings/OrgRecord";
import type { SnapshotRecord } from "../../bindings/SnapshotRecord";
import { api } from "../../api/ipc";
import { keys } from "../../api/queries";
import { ComponentDiffPanel } from "./ComponentDiffPanel";
import { DeployHandoffDialog, SelectionBar } from "./DriftDialogs";
import {
  cellWords,
  changeKey,
  conformancePercent,
  filterMatrixRows,
  latestPerOrg,
  type MatrixFilter,
  sideKey,
  toggled,
} from "./driftModel";
import { SidePicker } from "./SidePicker";
import "./matrix.css";
import { useVirtualRows } from "../../shell/virtualList";

const ROW = 28;
const states: CellState[] = ["different", "missing", "extra"];

type Props = {
  snapshots: SnapshotRecord[];
  orgs: OrgRecord[];
  onIgnore: (rule: NewDriftRule) => void;
};

type Drill = { typeName: string; fullName: string; column: number };

export function MatrixPanel({ snapshots, orgs, onIgnore }: Props) {
  const latest = useMemo(() => latestPerOrg(snapshots), [snapshots]);
  const [baseline, setBaseline] = useState<DriftSide | null>(null);
  const [chosen, setChosen] = useState<number[] | null>(null);
  const [run, setRun] = useState<{ baseline: DriftSide; ids: number[] } | null>(null);
  const [filter, setFilter] = useState<MatrixFilter>({ typeName: null, text: "", state: null });
  const [drill, setDrill] = useState<Drill | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [handoff, setHandoff] = useState(false);
  const toggleRow = (key: string) => setSelected((s) => toggled(s, key));

  // Production's newest snapshot is the natural baseline; any snapshot or folder can be.
  const production = latest.find((s) =>
    orgs.some(
      (o) => o.kind === "production" && s.source.kind === "org" && o.id === s.source.orgRowId,
    ),
  );
  const fallback = production ?? latest[0];
  const base: DriftSide | null =
    baseline ?? (fallback ? { kind: "snapshot", snapshotId: fallback.id } : null);
  const baseId = base?.kind === "snapshot" ? base.snapshotId : null;
  const candidates = latest.filter((s) => s.id !== baseId);
  const ids = (chosen ?? candidates.map((s) => s.id)).filter((id) => id !== baseId);
  const orgFor = (s: SnapshotRecord) =>
    s.source.kind === "org"
      ? orgs.find((o) => s.source.kind === "org" && o.id === s.source.orgRowId)
      : undefined;

  const matrix = useQuery({
    queryKey: [...keys.drift, "matrix", run && sideKey(run.baseline), run?.ids.join(",")],
    queryFn: () => (run ? api.driftMatrix(run.baseline, run.ids) : Promise.reject()),
    enabled: run !== null,
  });
  const report = matrix.data;
  const types = useMemo(() => [...new Set((report?.rows ?? []).map((r) => r.typeName))], [report]);
  const rows = useMemo(() => filterMatrixRows(report?.rows ?? [], filter), [report, filter]);
  const { scrollRef: listRef, virtualizer } = useVirtualRows(rows.length, ROW);
  const drillColumn = drill && report ? report.columns[drill.column] : undefined;
  const drillState =
    drill &&
    rows.find((r) => r.typeName === drill.typeName && r.fullName === drill.fullName)?.cells[
      drill.column
    ];

  return (
    <div className="matrix">
      <div className="matrix-picker card">
        <SidePicker
          label="Baseline"
          value={base}
          onChange={(pick) => setBaseline(pick?.kind === "org" ? null : pick)}
          snapshots={snapshots}
          orgs={orgs}
        />
        <fieldset className="matrix-orgs">
          <legend>Orgs to score (their latest snapshot)</legend>
          {candidates.length === 0 && <span className="muted">Snapshot more orgs first.</span>}
          {candidates.map((s) => {
            const org = orgFor(s);
            return (
              <label key={s.id} className="form-check">
                <input
                  type="checkbox"
                  checked={ids.includes(s.id)}
                  onChange={() =>
                    setChosen(ids.includes(s.id) ? ids.filter((x) => x !== s.id) : [...ids, s.id])
                  }
                />
                <span
                  className="org-colour"
                  style={{ background: org?.colour }}
                  aria-hidden="true"
                />
                {org?.alias ?? s.label}
              </label>
            );
          })}
        </fieldset>
        <button
          type="button"
          className="button button-primary"
          disabled={!base || ids.length === 0}
          onClick={() => {
            if (!base) return;
            setDrill(null);
            setSelected(new Set());
            setRun({ baseline: base, ids });
          }}
        >
          Build matrix
        </button>
      </div>
      {matrix.error && <p className="form-error">{matrix.error.message}</p>}
      {matrix.isLoading && <p className="muted">Comparing every org with the baseline…</p>}
      {report && run && (
        <div className={drill ? "matrix-layout matrix-layout-drill" : "matrix-layout"}>
          <section className="heatmap card" aria-label="Matrix">
            <div className="matrix-filters">
              <select
                aria-label="Type"
                value={filter.typeName ?? ""}
                onChange={(e) => setFilter({ ...filter, typeName: e.target.value || null })}
              >
                <option value="">Every type</option>
                {types.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
              <input
                className="search"
                type="search"
                placeholder="Filter by name"
                aria-label="Filter components"
                value={filter.text}
                onChange={(e) => setFilter({ ...filter, text: e.target.value })}
              />
              <select
                aria-label="State"
                value={filter.state ?? ""}
                onChange={(e) =>
                  setFilter({ ...filter, state: (e.target.value || null) as CellState | null })
                }
              >
                <option value="">Any state</option>
                {states.map((s) => (
                  <option key={s} value={s}>
                    {cellWords[s]}
                  </option>
                ))}
              </select>
              <span className="muted">
                {report.sameEverywhere.toLocaleString()} the same everywhere ·{" "}
                {report.ignoredCount.toLocaleString()} ignored
              </span>
            </div>
            <div
              className="heatmap-grid"
              style={{
                gridTemplateColumns: `minmax(260px, 1fr) repeat(${report.columns.length}, 96px)`,
              }}
            >
              <div className="heatmap-corner">
                <span className="muted">Baseline</span>
                <strong>{report.baseline.orgAlias ?? report.baseline.description}</strong>
              </div>
              {report.columns.map((c) => {
                const pct = conformancePercent(c.conformance);
                return (
                  <div
                    key={sideKey(c.side.side)}
                    className="heatmap-head"
                    title={c.side.description}
                  >
                    <strong>{c.side.orgAlias ?? c.side.description}</strong>
                    <span
                      className="conformance"
                      title="Conformance: share of the baseline held unchanged"
                    >
                      {pct}%
                    </span>
                    <span className="conformance-bar">
                      <span style={{ width: `${pct}%` }} />
                    </span>
                    <span className="muted heatmap-counts">
                      {c.different}≠ {c.missing}− {c.extra}+
                    </span>
                  </div>
                );
              })}
            </div>
            <div className="heatmap-rows" ref={listRef} data-testid="matrix-rows">
              {rows.length === 0 && <p className="muted">Every org matches the baseline here.</p>}
              <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
                {virtualizer.getVirtualItems().map((item) => {
                  const r = rows[item.index];
                  if (!r) return null;
                  return (
                    <div
                      key={`${r.typeName}/${r.fullName}`}
                      className="heatmap-row"
                      style={{
                        transform: `translateY(${item.start}px)`,
                        height: ROW,
                        gridTemplateColumns: `minmax(260px, 1fr) repeat(${report.columns.length}, 96px)`,
                      }}
                    >
                      <label className="heatmap-name" title={`${r.typeName} ${r.fullName}`}>
                        <input
                          type="checkbox"
                          aria-label={`Select ${r.typeName} ${r.fullName}`}
                          checked={selected.has(changeKey(r))}
                          onChange={() => toggleRow(changeKey(r))}
                        />
                        <span className="muted">{r.typeName}</span> {r.fullName}
                      </label>
                      {r.cells.map((state, i) => {
                        const column = report.columns[i];
                        const who = column?.side.orgAlias ?? `org ${i + 1}`;
                        const open =
                          drill?.column === i &&
                          drill.fullName === r.fullName &&
                          drill.typeName === r.typeName;
                        return (
                          <button
                            // biome-ignore lint/suspicious/noArrayIndexKey: cells follow the columns
                            key={i}
                            type="button"
                            className={open ? `cell cell-${state} cell-open` : `cell cell-${state}`}
                            title={`${r.fullName} in ${who}: ${cellWords[state]}`}
                            aria-label={`${r.fullName} in ${who}: ${cellWords[state]}`}
                            disabled={state === "absent" || state === "same"}
                            onClick={() =>
                              setDrill({ typeName: r.typeName, fullName: r.fullName, column: i })
                            }
                          />
                        );
                      })}
                    </div>
                  );
                })}
              </div>
            </div>
            <SelectionBar
              count={selected.size}
              note="align the orgs with the baseline"
              onClear={() => setSelected(new Set())}
              onDeploy={() => setHandoff(true)}
            />
            <div className="heatmap-legend">
              {(["same", "different", "missing", "extra"] as CellState[]).map((s) => (
                <span key={s}>
                  <span className={`cell cell-${s} cell-legend`} aria-hidden="true" />{" "}
                  {cellWords[s]}
                </span>
              ))}
            </div>
          </section>
          {drill && drillColumn && (
            <div className="matrix-drill">
              <button
                type="button"
                className="button button-quiet button-small"
                onClick={() => setDrill(null)}
              >
                Close ✕
              </button>
              <ComponentDiffPanel
                key={`${drill.typeName}/${drill.fullName}/${drill.column}`}
                left={run.baseline}
                right={drillColumn.side.side}
                leftLabel={report.baseline.orgAlias ?? "baseline"}
                rightLabel={drillColumn.side.orgAlias ?? "org"}
                typeName={drill.typeName}
                fullName={drill.fullName}
                label={null}
                change={
                  drillState === "missing"
                    ? "removed"
                    : drillState === "extra"
                      ? "added"
                      : "changed"
                }
                risks={[]}
                summary={null}
                onIgnore={onIgnore}
              />
            </div>
          )}
        </div>
      )}
      {handoff && report && (
        <DeployHandoffDialog
          components={report.rows
            .filter((r) => selected.has(changeKey(r)))
            .map((r) => ({ typeName: r.typeName, fullName: r.fullName }))}
          apiVersion={snapshots.find((s) => s.id === baseId)?.apiVersion ?? null}
          onClose={() => setHandoff(false)}
        />
      )}
    </div>
  );
}
