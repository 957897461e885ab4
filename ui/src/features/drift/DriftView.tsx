/**
 * Drift: what differs between orgs, snapshots and projects. Two modes: compare two sides
 * (summary, a list of changes, each change's semantic and raw diff, a report, the "Deploy
 * these" hand-off) and the matrix (a baseline against many orgs). Ignore rules are shared.
 */
import { useState } from "react";
import "./drift.css";
import type { NewDriftRule } from "../../bindings/NewDriftRule";
import { useDriftRules, useOrgs, useSnapshots } from "../../api/queries";
import { DiffIcon } from "../../shell/icons";
import { SegmentedTabs } from "../../shell/Segmented";
import { ComparePanel } from "./ComparePanel";
import { MatrixPanel } from "./MatrixPanel";
import { RulesDialog } from "./RulesDialog";
import { ErrorBanner } from "../../shell/ErrorBanner";

type Mode = "compare" | "matrix";

const modes = [
  ["compare", "Compare two"],
  ["matrix", "Matrix"],
] as const;

export function DriftView() {
  const snapshots = useSnapshots();
  const orgs = useOrgs();
  const rules = useDriftRules();
  const [mode, setMode] = useState<Mode>("compare");
  const [rulesDraft, setRulesDraft] = useState<NewDriftRule | null | undefined>(undefined);
  const all = snapshots.data ?? [];
  const ruleCount = rules.data?.length ?? 0;

  return (
    <section className="view view-wide" aria-labelledby="drift-title">
      <header className="view-header">
        <div>
          <h1 id="drift-title">Drift</h1>
          <p className="view-subtitle">
            What differs between orgs, snapshots and projects, element by element — without noise
            from XML ordering.
          </p>
        </div>
        <div className="header-actions">
          <SegmentedTabs label="Mode" options={modes} value={mode} onChange={setMode} />
          <button type="button" className="button" onClick={() => setRulesDraft(null)}>
            Ignore rules{ruleCount > 0 ? ` (${ruleCount})` : ""}
          </button>
        </div>
      </header>
      {snapshots.error && <ErrorBanner error={snapshots.error} />}
      {snapshots.isLoading ? (
        <p className="muted">Loading snapshots…</p>
      ) : all.length === 0 ? (
        <div className="empty-state">
          <DiffIcon size={28} />
          <h2>Nothing to compare yet</h2>
          <p>
            Take a snapshot of two orgs (Snapshots → Take snapshot), or import a project, then come
            back to see what differs. A project folder on disk can be compared directly.
          </p>
        </div>
      ) : mode === "compare" ? (
        <ComparePanel snapshots={all} orgs={orgs.data ?? []} onIgnore={setRulesDraft} />
      ) : (
        <MatrixPanel snapshots={all} orgs={orgs.data ?? []} onIgnore={setRulesDraft} />
      )}
      {rulesDraft !== undefined && (
        <RulesDialog draft={rulesDraft ?? undefined} onClose={() => setRulesDraft(undefined)} />
      )}
    </section>
  );
}
