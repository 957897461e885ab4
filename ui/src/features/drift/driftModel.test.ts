import type { ComponentChange } from "../../bindings/ComponentChange";
import type { MatrixRow } from "../../bindings/MatrixRow";
import type { SnapshotRecord } from "../../bindings/SnapshotRecord";
import {
  buildRows,
  changedTypes,
  changeKey,
  conformancePercent,
  defaultPair,
  emptyFilter,
  filterChanges,
  filterMatrixRows,
  latestPerOrg,
  rowRisks,
  sideKey,
  stepChange,
  toggled,
  totals,
} from "./driftModel";

function change(typeName: string, fullName: string, over: Partial<ComponentChange> = {}) {
  return {
    typeName,
    fullName,
    change: "changed",
    label: null,
    risks: [],
    summary: "something changed",
    ...over,
  } satisfies ComponentChange as ComponentChange;
}

const changes = [
  change("ApexClass", "A", { change: "added" }),
  change("ApexClass", "B"),
  change("Profile", "Admin", { risks: ["security"] }),
  change("Profile", "Standard", { change: "removed", risks: ["deletion"] }),
];

function snapshot(id: number, org: number | null, createdAt: number): SnapshotRecord {
  return {
    id,
    source: org === null ? { kind: "import", path: "/p" } : { kind: "org", orgRowId: org },
    orgAlias: null,
    label: `s${id}`,
    apiVersion: "66.0",
    createdAt,
    componentCount: 10,
    fileCount: 10,
    totalBytes: 100,
    warnings: [],
  };
}

test("rows group changes by type and hide collapsed groups", () => {
  const rows = buildRows(changes, new Set(["Profile"]));
  expect(
    rows.map((r) => (r.kind === "group" ? `# ${r.typeName} ${r.count}` : r.change.fullName)),
  ).toEqual(["# ApexClass 2", "A", "B", "# Profile 2"]);
  expect(buildRows([], new Set())).toEqual([]);
});

test("filters combine kind, risk, type and text", () => {
  expect(filterChanges(changes, emptyFilter)).toHaveLength(4);
  expect(
    filterChanges(changes, { ...emptyFilter, kinds: ["added"] }).map((c) => c.fullName),
  ).toEqual(["A"]);
  expect(filterChanges(changes, { ...emptyFilter, riskyOnly: true })).toHaveLength(2);
  expect(filterChanges(changes, { ...emptyFilter, typeName: "ApexClass" })).toHaveLength(2);
  expect(filterChanges(changes, { ...emptyFilter, text: "STAND" }).map((c) => c.fullName)).toEqual([
    "Standard",
  ]);
});

test("next and previous stop at the ends and start at the first or last", () => {
  expect(stepChange(changes, null, 1)?.fullName).toBe("A");
  expect(stepChange(changes, null, -1)?.fullName).toBe("Standard");
  const b = changeKey(changes[1] as ComponentChange);
  expect(stepChange(changes, b, 1)?.fullName).toBe("Admin");
  expect(stepChange(changes, b, -1)?.fullName).toBe("A");
  const last = changeKey(changes[3] as ComponentChange);
  expect(stepChange(changes, last, 1)?.fullName).toBe("Standard");
  expect(stepChange([], null, 1)).toBeNull();
});

test("summary totals and the most changed types first", () => {
  const types = [
    {
      typeName: "ApexClass",
      added: 1,
      removed: 0,
      changed: 1,
      unchanged: 5,
      ignored: 0,
      reordered: 0,
    },
    {
      typeName: "Layout",
      added: 0,
      removed: 0,
      changed: 0,
      unchanged: 3,
      ignored: 1,
      reordered: 2,
    },
    {
      typeName: "Profile",
      added: 0,
      removed: 1,
      changed: 2,
      unchanged: 0,
      ignored: 0,
      reordered: 0,
    },
  ];
  expect(totals(types)).toEqual({
    added: 1,
    removed: 1,
    changed: 3,
    unchanged: 8,
    ignored: 1,
    reordered: 2,
  });
  expect(changedTypes(types).map((t) => t.typeName)).toEqual(["Profile", "ApexClass"]);
});

test("the default pair puts production's newest snapshot on the left", () => {
  const all = [snapshot(1, 1, 10), snapshot(2, 2, 20), snapshot(3, 1, 30), snapshot(4, null, 40)];
  expect(latestPerOrg(all).map((s) => s.id)).toEqual([3, 2]);
  expect(defaultPair(all, new Set([1]))).toEqual([
    { kind: "snapshot", snapshotId: 3 },
    { kind: "snapshot", snapshotId: 2 },
  ]);
  expect(defaultPair([snapshot(1, 1, 10)], new Set())).toBeNull();
});

test("side keys, list summaries, matrix filters and conformance", () => {
  expect(sideKey({ kind: "snapshot", snapshotId: 4 })).toBe("snapshot:4");
  expect(sideKey({ kind: "folder", path: "/x" })).toBe("folder:/x");
  const rows: MatrixRow[] = [
    { typeName: "ApexClass", fullName: "A", cells: ["same", "different"] },
    { typeName: "Profile", fullName: "Admin", cells: ["missing", "same"] },
  ];
  expect(filterMatrixRows(rows, { typeName: null, text: "", state: "missing" })).toHaveLength(1);
  expect(filterMatrixRows(rows, { typeName: "ApexClass", text: "", state: null })).toHaveLength(1);
  expect(filterMatrixRows(rows, { typeName: null, text: "adm", state: null })).toHaveLength(1);
  expect(conformancePercent(1)).toBe(100);
  expect(conformancePercent(0.9999)).toBe(99.9);
  expect(conformancePercent(0.958)).toBe(95.8);
});

test("production is a side-level flag: not a row badge, not 'risky' on its own", () => {
  const prodOnly = change("ApexClass", "C", { risks: ["production"] });
  expect(rowRisks(prodOnly)).toEqual([]);
  expect(rowRisks(change("Profile", "P", { risks: ["security", "production"] }))).toEqual([
    "security",
  ]);
  expect(filterChanges([prodOnly], { ...emptyFilter, riskyOnly: true })).toEqual([]);
});

test("the filter finds a component by its label too", () => {
  const field = change("CustomField", "Account.ACV__c", { label: "Annual Contract Value" });
  expect(filterChanges([field], { ...emptyFilter, text: "contract value" })).toEqual([field]);
});

test("toggling adds a missing key and removes a present one, leaving the input alone", () => {
  const start = new Set(["a"]);
  expect([...toggled(start, "b")]).toEqual(["a", "b"]);
  expect([...toggled(start, "a")]).toEqual([]);
  expect([...start]).toEqual(["a"]);
});
