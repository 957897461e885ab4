/**
 * The Drift page's pure logic, kept apart from React so it is tested directly: naming and
 * keying sides, the rows of the change list (type groups and changes, filtered, with
 * collapsed groups), keyboard next/previous, default sides, and matrix filters.
 */
import type { CellState } from "../../bindings/CellState";
import type { ChangeKind } from "../../bindings/ChangeKind";
import type { ComponentChange } from "../../bindings/ComponentChange";
import type { DriftSide } from "../../bindings/DriftSide";
import type { MatrixRow } from "../../bindings/MatrixRow";
import type { RiskFlag } from "../../bindings/RiskFlag";
import type { SnapshotRecord } from "../../bindings/SnapshotRecord";
import type { TypeCounts } from "../../bindings/TypeCounts";

/** A stable string for a side (query keys, select values). */
export function sideKey(side: DriftSide): string {
  return side.kind === "snapshot" ? `snapshot:${side.snapshotId}` : `folder:${side.path}`;
}

/** `set` with `key` added, or removed when it was there (a new set: state stays immutable). */
export function toggled<T>(set: ReadonlySet<T>, key: T): Set<T> {
  const next = new Set(set);
  if (next.has(key)) next.delete(key);
  else next.add(key);
  return next;
}

/** The identity of a component in lists and selections. */
export function changeKey(c: { typeName: string; fullName: string }): string {
  return `${c.typeName}\u0000${c.fullName}`;
}

export type ChangeFilter = {
  text: string;
  kinds: ChangeKind[];
  riskyOnly: boolean;
  /** Only this type (a chip of the summary bar), or every type. */
  typeName: string | null;
};

export const allKinds: ChangeKind[] = ["added", "removed", "changed"];

export const emptyFilter: ChangeFilter = {
  text: "",
  kinds: allKinds,
  riskyOnly: false,
  typeName: null,
};

export type ListRow =
  | { kind: "group"; typeName: string; count: number; collapsed: boolean }
  | { kind: "change"; change: ComponentChange };

/**
 * The flags worth a badge on a row. "production" is true of every change when a side is a
 * production org, so the summary shows it once beside that side instead.
 */
export function rowRisks(c: ComponentChange): RiskFlag[] {
  return c.risks.filter((r) => r !== "production");
}

/** Changes passing `filter`, in report order (type, then name). */
export function filterChanges(changes: ComponentChange[], filter: ChangeFilter): ComponentChange[] {
  const needle = filter.text.trim().toLowerCase();
  return changes.filter(
    (c) =>
      filter.kinds.includes(c.change) &&
      (!filter.riskyOnly || rowRisks(c).length > 0) &&
      (filter.typeName === null || c.typeName === filter.typeName) &&
      (!needle ||
        c.fullName.toLowerCase().includes(needle) ||
        (c.label ?? "").toLowerCase().includes(needle) ||
        c.typeName.toLowerCase().includes(needle) ||
        c.summary.toLowerCase().includes(needle)),
  );
}

/** The list as rows: a header per type, then its changes unless the group is collapsed. */
export function buildRows(changes: ComponentChange[], collapsed: ReadonlySet<string>): ListRow[] {
  const rows: ListRow[] = [];
  let start = 0;
  while (start < changes.length) {
    const typeName = changes[start]?.typeName ?? "";
    let end = start;
    while (end < changes.length && changes[end]?.typeName === typeName) end++;
    const isCollapsed = collapsed.has(typeName);
    rows.push({ kind: "group", typeName, count: end - start, collapsed: isCollapsed });
    if (!isCollapsed) {
      for (let i = start; i < end; i++) {
        const change = changes[i];
        if (change) rows.push({ kind: "change", change });
      }
    }
    start = end;
  }
  return rows;
}

/**
 * The change after (`step` 1) or before (`step` -1) the one keyed `current` among the
 * visible changes; the first (or last) when nothing is current; unchanged at either end.
 */
export function stepChange(
  visible: ComponentChange[],
  current: string | null,
  step: 1 | -1,
): ComponentChange | null {
  if (visible.length === 0) return null;
  const index = current === null ? -1 : visible.findIndex((c) => changeKey(c) === current);
  if (index === -1) return (step === 1 ? visible[0] : visible[visible.length - 1]) ?? null;
  const next = Math.min(visible.length - 1, Math.max(0, index + step));
  return visible[next] ?? null;
}

/** Totals over every type. */
export function totals(types: TypeCounts[]) {
  return types.reduce(
    (t, c) => ({
      added: t.added + c.added,
      removed: t.removed + c.removed,
      changed: t.changed + c.changed,
      unchanged: t.unchanged + c.unchanged,
      ignored: t.ignored + c.ignored,
      reordered: t.reordered + c.reordered,
    }),
    { added: 0, removed: 0, changed: 0, unchanged: 0, ignored: 0, reordered: 0 },
  );
}

/** Types with at least one change, the most changed first (the summary bar's chips). */
export function changedTypes(types: TypeCounts[]): TypeCounts[] {
  return types
    .filter((t) => t.added + t.removed + t.changed > 0)
    .sort(
      (a, b) =>
        b.added + b.removed + b.changed - (a.added + a.removed + a.changed) ||
        a.typeName.localeCompare(b.typeName),
    );
}

/** The newest snapshot of each org (imports are left out), newest first. */
export function latestPerOrg(snapshots: SnapshotRecord[]): SnapshotRecord[] {
  const seen = new Set<number>();
  const out: SnapshotRecord[] = [];
  for (const s of [...snapshots].sort((a, b) => b.createdAt - a.createdAt || b.id - a.id)) {
    if (s.source.kind !== "org" || seen.has(s.source.orgRowId)) continue;
    seen.add(s.source.orgRowId);
    out.push(s);
  }
  return out;
}

/**
 * What to compare before the user chooses: a production org's newest snapshot on the left
 * (the reference most reviews start from) and another org's newest on the right.
 */
export function defaultPair(
  snapshots: SnapshotRecord[],
  productionOrgIds: ReadonlySet<number>,
): [DriftSide, DriftSide] | null {
  const latest = latestPerOrg(snapshots);
  const isProd = (s: SnapshotRecord) =>
    s.source.kind === "org" && productionOrgIds.has(s.source.orgRowId);
  const left = latest.find(isProd) ?? latest[0];
  const right = latest.find((s) => s !== left);
  if (!left || !right) return null;
  return [
    { kind: "snapshot", snapshotId: left.id },
    { kind: "snapshot", snapshotId: right.id },
  ];
}

export type MatrixFilter = {
  typeName: string | null;
  text: string;
  /** Rows with at least one cell in this state, or every row. */
  state: CellState | null;
};

export function filterMatrixRows(rows: MatrixRow[], filter: MatrixFilter): MatrixRow[] {
  const needle = filter.text.trim().toLowerCase();
  return rows.filter(
    (r) =>
      (filter.typeName === null || r.typeName === filter.typeName) &&
      (!needle || r.fullName.toLowerCase().includes(needle)) &&
      (filter.state === null || r.cells.includes(filter.state)),
  );
}

/** Words for a cell, for tooltips and screen readers. */
export const cellWords: Record<CellState, string> = {
  same: "same as the baseline",
  different: "different from the baseline",
  missing: "missing (the baseline has it)",
  extra: "extra (not in the baseline)",
  absent: "in neither",
};

/** A conformance share (0–1) as a whole percent, never rounding a gap up to 100 %. */
export function conformancePercent(share: number): number {
  const pct = Math.floor(share * 1000) / 10;
  return share < 1 && pct >= 100 ? 99.9 : pct;
}
