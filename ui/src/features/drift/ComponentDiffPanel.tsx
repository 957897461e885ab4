/**
 * One component between two sides: its change and risk flags, then the semantic view
 * (element edits, code hunks) or the raw side-by-side view. Used by the compare list and by
 * the matrix's drill-down.
 */
import { useQuery } from "@tanstack/react-query";
import { lazy, Suspense, useState } from "react";
import type { ChangeKind } from "../../bindings/ChangeKind";
import type { DriftSide } from "../../bindings/DriftSide";
import type { NewDriftRule } from "../../bindings/NewDriftRule";
import type { RiskFlag } from "../../bindings/RiskFlag";
import { api } from "../../api/ipc";
import { keys } from "../../api/queries";
import { SegmentedTabs } from "../../shell/Segmented";
import { sideKey } from "./driftModel";
import { SemanticDiff } from "./SemanticDiff";

const RawMerge = lazy(() => import("./RawMerge"));

const views = [
  ["semantic", "Changes"],
  ["raw", "Side by side"],
] as const;

export const riskWords: Record<RiskFlag, string> = {
  security: "security",
  field_level_security: "field-level security",
  deletion: "deletion",
  production: "production",
  managed: "managed package",
};

export function RiskFlags({ risks }: { risks: RiskFlag[] }) {
  return (
    <>
      {risks.map((r) => (
        <span key={r} className={`risk risk-${r}`}>
          {riskWords[r]}
        </span>
      ))}
    </>
  );
}

type Props = {
  left: DriftSide;
  right: DriftSide;
  leftLabel: string;
  rightLabel: string;
  typeName: string;
  fullName: string;
  /** The component's label, shown first when it has one. */
  label: string | null;
  change: ChangeKind | null;
  risks: RiskFlag[];
  /** The change in plain words, shown above the details. */
  summary: string | null;
  onIgnore: (rule: NewDriftRule) => void;
};

export function ComponentDiffPanel(props: Props) {
  const { left, right, typeName, fullName } = props;
  const [tab, setTab] = useState<"semantic" | "raw">("semantic");
  const [showReordered, setShowReordered] = useState(false);
  const detail = useQuery({
    queryKey: [
      ...keys.drift,
      "component",
      sideKey(left),
      sideKey(right),
      typeName,
      fullName,
      showReordered,
    ],
    queryFn: () => api.driftComponent(left, right, typeName, fullName, showReordered),
  });
  const ignore = (kind: NewDriftRule["kind"], pattern: string) =>
    props.onIgnore({ kind, typeName, pattern, note: "" });

  return (
    <section className="diff-panel" aria-label={`${typeName} ${fullName}`}>
      <header className="diff-panel-header">
        <div className="diff-title">
          <span className="muted">
            {typeName}
            {props.label && (
              <>
                {" · "}
                <code>{fullName}</code>
              </>
            )}
          </span>
          <h2>{props.label ?? fullName}</h2>
          <div className="diff-flags">
            {props.change && (
              <span className={`change-badge change-${props.change}`}>{props.change}</span>
            )}
            <RiskFlags risks={props.risks} />
          </div>
          {props.summary && <p className="diff-summary">{props.summary}</p>}
        </div>
        <button
          type="button"
          className="button button-quiet button-small"
          title="Add an ignore rule for this component"
          onClick={() => ignore("name", fullName)}
        >
          Ignore component…
        </button>
      </header>
      <div className="diff-tabs">
        <SegmentedTabs label="Diff view" options={views} value={tab} onChange={setTab} />
        {tab === "semantic" && (
          <label className="form-check">
            <input
              type="checkbox"
              checked={showReordered}
              onChange={(e) => setShowReordered(e.target.checked)}
            />
            Show reordered
          </label>
        )}
      </div>
      <div className="diff-body">
        {detail.isLoading && <p className="muted">Comparing…</p>}
        {detail.error && <p className="form-error">{detail.error.message}</p>}
        {detail.data && tab === "semantic" && (
          <SemanticDiff diff={detail.data.diff} onIgnorePath={(p) => ignore("element", p)} />
        )}
        {detail.data && tab === "raw" && (
          <Suspense fallback={<p className="muted">Loading the side-by-side view…</p>}>
            <RawMerge
              left={detail.data.left}
              right={detail.data.right}
              leftLabel={props.leftLabel}
              rightLabel={props.rightLabel}
            />
          </Suspense>
        )}
      </div>
    </section>
  );
}
