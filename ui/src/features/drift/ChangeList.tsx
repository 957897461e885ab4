/**
 * The changes of a comparison as a virtualized list grouped by type (a two-level tree):
 * group rows collapse, change rows select for review and tick for "Deploy these". Only the
 * visible rows exist in the DOM, so 50,000 changes scroll as smoothly as 50.
 */
import { useEffect } from "react";
import type { ListRow } from "./driftModel";
import { changeKey, rowRisks } from "./driftModel";
import { RiskFlags } from "./ComponentDiffPanel";
import { useVirtualRows } from "../../shell/virtualList";

const ROW = 34;

type Props = {
  rows: ListRow[];
  current: string | null;
  selected: ReadonlySet<string>;
  onOpen: (key: string) => void;
  onToggleSelect: (key: string) => void;
  onToggleGroup: (typeName: string) => void;
  onSelectGroup: (typeName: string, select: boolean) => void;
  groupSelected: (typeName: string) => boolean;
};

export function ChangeList(props: Props) {
  const { rows, current } = props;
  const { scrollRef: listRef, virtualizer } = useVirtualRows(rows.length, ROW);

  // Keep the current change in view when the keyboard moves it.
  useEffect(() => {
    if (current === null) return;
    const index = rows.findIndex((r) => r.kind === "change" && changeKey(r.change) === current);
    if (index >= 0) virtualizer.scrollToIndex(index, { align: "auto" });
  }, [current, rows, virtualizer]);

  return (
    <div className="component-list" ref={listRef} data-testid="change-list">
      <ul
        aria-label="Changes"
        className="change-rows"
        style={{ height: virtualizer.getTotalSize(), position: "relative" }}
      >
        {virtualizer.getVirtualItems().map((item) => {
          const row = rows[item.index];
          if (!row) return null;
          const style = { transform: `translateY(${item.start}px)`, height: ROW };
          if (row.kind === "group") {
            const all = props.groupSelected(row.typeName);
            return (
              <li key={`g-${row.typeName}`} className="change-group" style={style}>
                <input
                  type="checkbox"
                  aria-label={`Select every ${row.typeName} change`}
                  checked={all}
                  onChange={() => props.onSelectGroup(row.typeName, !all)}
                />
                <button
                  type="button"
                  className="change-group-toggle"
                  aria-expanded={!row.collapsed}
                  onClick={() => props.onToggleGroup(row.typeName)}
                >
                  <span className="twisty" aria-hidden="true">
                    {row.collapsed ? "▸" : "▾"}
                  </span>
                  {row.typeName}
                  <span className="chip-count">{row.count.toLocaleString()}</span>
                </button>
              </li>
            );
          }
          const c = row.change;
          const key = changeKey(c);
          return (
            <li
              key={key}
              className={key === current ? "change-row change-row-current" : "change-row"}
              style={style}
            >
              <input
                type="checkbox"
                aria-label={`Select ${c.typeName} ${c.fullName}`}
                checked={props.selected.has(key)}
                onChange={() => props.onToggleSelect(key)}
              />
              <button
                type="button"
                className="change-open"
                aria-current={key === current ? "true" : undefined}
                aria-label={`${c.change} ${c.typeName} ${c.fullName}`}
                onClick={() => props.onOpen(key)}
              >
                <span className={`change-mark change-${c.change}`} title={c.change}>
                  {c.change === "added" ? "+" : c.change === "removed" ? "−" : "~"}
                </span>
                <span className="change-name">{c.label ?? c.fullName}</span>
                {c.label && <code className="change-api">{c.fullName}</code>}
                <span className="change-summary" title={c.summary}>
                  {c.summary}
                </span>
                <span className="change-risks">
                  <RiskFlags risks={rowRisks(c)} />
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
