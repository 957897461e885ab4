/**
 * The summary of a comparison: which two sides, totals by kind (each a filter toggle), the
 * ignored count (always shown, so nothing hides silently), and one chip per changed type
 * that narrows the list to that type.
 */
import type { ChangeKind } from "../../bindings/ChangeKind";
import type { DriftReport } from "../../bindings/DriftReport";
import type { SideInfo } from "../../bindings/SideInfo";
import { type ChangeFilter, changedTypes, rowRisks, totals } from "./driftModel";

type Props = {
  report: DriftReport;
  filter: ChangeFilter;
  onFilter: (filter: ChangeFilter) => void;
  onSaveReport: () => void;
};

const kindLabels: [ChangeKind, string][] = [
  ["added", "added"],
  ["removed", "removed"],
  ["changed", "changed"],
];

export function SummaryBar({ report, filter, onFilter, onSaveReport }: Props) {
  const sum = totals(report.types);
  const types = changedTypes(report.types);
  const risky = report.changes.filter((c) => rowRisks(c).length > 0).length;
  const toggleKind = (kind: ChangeKind) => {
    const kinds = filter.kinds.includes(kind)
      ? filter.kinds.filter((k) => k !== kind)
      : [...filter.kinds, kind];
    onFilter({ ...filter, kinds });
  };
  return (
    <section className="summary card" aria-label="Summary">
      <p className="summary-headline">{report.headline}</p>
      <div className="summary-sides">
        <SideName info={report.left} className="value-before" />
        <span aria-hidden="true">→</span>
        <SideName info={report.right} className="value-after" />
        <span className="muted">
          {report.left.componentCount.toLocaleString()} ↔{" "}
          {report.right.componentCount.toLocaleString()} components ·{" "}
          {sum.unchanged.toLocaleString()} unchanged
        </span>
        <button type="button" className="button button-small summary-save" onClick={onSaveReport}>
          Save report…
        </button>
      </div>
      <div className="summary-totals">
        {kindLabels.map(([kind, label]) => (
          <button
            key={kind}
            type="button"
            className={
              filter.kinds.includes(kind) ? `total total-${kind}` : `total total-${kind} total-off`
            }
            aria-pressed={filter.kinds.includes(kind)}
            onClick={() => toggleKind(kind)}
          >
            <strong>{sum[kind].toLocaleString()}</strong> {label}
          </button>
        ))}
        <button
          type="button"
          className={filter.riskyOnly ? "total total-risky total-on" : "total total-risky"}
          aria-pressed={filter.riskyOnly}
          onClick={() => onFilter({ ...filter, riskyOnly: !filter.riskyOnly })}
          title="Only changes flagged as risky (security, field-level security, deletion, managed)"
        >
          <strong>{risky.toLocaleString()}</strong> risky
        </button>
        <span className="total total-ignored" title="Changes hidden by ignore rules">
          <strong>{report.ignoredCount.toLocaleString()}</strong> ignored
        </span>
        {sum.reordered > 0 && (
          <span
            className="total total-ignored"
            title="Components whose only difference is the order of entries whose order does not matter to Salesforce: not drift"
          >
            <strong>{sum.reordered.toLocaleString()}</strong> only reordered
          </span>
        )}
      </div>
      {types.length > 0 && (
        <div className="type-chips">
          {types.map((t) => {
            const on = filter.typeName === t.typeName;
            return (
              <button
                key={t.typeName}
                type="button"
                className={on ? "chip chip-selected" : "chip"}
                aria-pressed={on}
                onClick={() => onFilter({ ...filter, typeName: on ? null : t.typeName })}
              >
                {t.typeName}
                <span className="type-chip-counts">
                  {t.added > 0 && <span className="count-added">+{t.added}</span>}
                  {t.removed > 0 && <span className="count-removed">−{t.removed}</span>}
                  {t.changed > 0 && <span className="count-changed">~{t.changed}</span>}
                </span>
              </button>
            );
          })}
        </div>
      )}
    </section>
  );
}

function SideName({ info, className }: { info: SideInfo; className: string }) {
  return (
    <span className={className} title={info.description}>
      {info.orgAlias ?? info.description}
      {info.production && (
        <span
          className="risk risk-production side-production"
          title="A production org: every change here touches production"
        >
          production
        </span>
      )}
    </span>
  );
}
