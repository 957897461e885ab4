import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { DriftReport } from "../../bindings/DriftReport";
import type { MatrixReport } from "../../bindings/MatrixReport";
import type { SnapshotRecord } from "../../bindings/SnapshotRecord";
import { renderWithQueries } from "../../test-utils";
import { DriftView } from "./DriftView";

function snapshot(id: number, org: number, alias: string): SnapshotRecord {
  return {
    id,
    source: { kind: "org", orgRowId: org },
    orgAlias: alias,
    label: alias,
    apiVersion: "66.0",
    createdAt: Date.UTC(2026, 10, 22, 10, id),
    componentCount: 145,
    fileCount: 220,
    totalBytes: 400_000,
    warnings: [],
  };
}

const side = (id: number, alias: string, production: boolean) => ({
  side: { kind: "snapshot" as const, snapshotId: id },
  description: `snapshot ${id} of ${alias}`,
  orgAlias: alias,
  production,
  componentCount: 145,
});

const report: DriftReport = {
  left: side(1, "acme-prod", true),
  right: side(2, "acme-uat", false),
  types: [
    {
      typeName: "ApexClass",
      added: 1,
      removed: 0,
      changed: 0,
      unchanged: 60,
      ignored: 0,
      reordered: 0,
    },
    {
      typeName: "Profile",
      added: 0,
      removed: 0,
      changed: 2,
      unchanged: 0,
      ignored: 1,
      reordered: 4,
    },
  ],
  changes: [
    {
      typeName: "ApexClass",
      fullName: "IndustryClassifier",
      change: "added",
      label: null,
      risks: ["production"],
      summary: "new, 2 file(s)",
    },
    {
      typeName: "Profile",
      fullName: "Admin",
      change: "changed",
      label: null,
      risks: ["security"],
      summary: "classAccesses added",
    },
    {
      typeName: "Profile",
      fullName: "Standard",
      change: "changed",
      label: null,
      risks: ["security", "field_level_security"],
      summary: "fieldPermissions[Account.ACV__c].editable true → false",
    },
  ],
  ignoredCount: 1,
  ignored: [{ typeName: "Profile", fullName: "Guest", change: "changed", ruleId: 3 }],
  headline: "3 differences in 2 types; 2 touch security",
};

const matrix: MatrixReport = {
  baseline: side(1, "acme-prod", true),
  columns: [
    {
      side: side(2, "acme-uat", false),
      same: 140,
      different: 4,
      missing: 0,
      extra: 2,
      conformance: 0.958,
    },
    {
      side: side(3, "acme-dev", false),
      same: 130,
      different: 14,
      missing: 1,
      extra: 2,
      conformance: 0.896,
    },
  ],
  rows: [
    { typeName: "ApexClass", fullName: "IndustryClassifier", cells: ["extra", "extra"] },
    { typeName: "Profile", fullName: "Standard", cells: ["different", "same"] },
  ],
  sameEverywhere: 130,
  ignoredCount: 0,
};

vi.mock("../../api/ipc", () => ({
  api: {
    snapshotsList: vi.fn(async () => [
      snapshot(1, 1, "acme-prod"),
      snapshot(2, 2, "acme-uat"),
      snapshot(3, 3, "acme-dev"),
    ]),
    orgsList: vi.fn(async () => [
      {
        id: 1,
        alias: "acme-prod",
        kind: "production",
        colour: "#dc2626",
        protected: true,
        tags: [],
      },
      { id: 2, alias: "acme-uat", kind: "sandbox", colour: "#0891b2", protected: false, tags: [] },
      { id: 3, alias: "acme-dev", kind: "sandbox", colour: "#d97706", protected: false, tags: [] },
    ]),
    driftRulesList: vi.fn(async () => []),
    driftRuleAdd: vi.fn(async (rule) => ({ ...rule, id: 9, createdAt: 0 })),
    driftRuleDelete: vi.fn(async () => undefined),
    driftCompare: vi.fn(async () => report),
    driftComponent: vi.fn(async () => ({
      diff: {
        kind: "xml",
        edits: [
          {
            path: "fieldPermissions[Account.ACV__c].editable",
            kind: "changed",
            before: "true",
            after: "false",
          },
        ],
        reorderedHidden: 2,
      },
      left: [{ path: "profiles/Standard.profile", size: 10, text: "<Profile/>" }],
      right: [{ path: "profiles/Standard.profile", size: 10, text: "<Profile/>" }],
    })),
    driftMatrix: vi.fn(async () => matrix),
    driftPackageXml: vi.fn(
      async () => "<Package><types><members>Admin</members></types></Package>",
    ),
    driftPackageXmlSave: vi.fn(async (_c, _v, dest) => dest),
    driftReportSave: vi.fn(async (_l, _r, _f, dest) => dest),
    driftCompareOrgs: vi.fn(async () => 41),
    snapshotTake: vi.fn(async () => [50]),
    jobsList: vi.fn(async () => []),
    jobsWatch: vi.fn(async () => undefined),
  },
}));

import { api } from "../../api/ipc";

beforeEach(() => vi.clearAllMocks());

const current = (name: string) => screen.getByRole("button", { name }).getAttribute("aria-current");

test("compares production with another org at once and reviews a change", async () => {
  const user = userEvent.setup();
  renderWithQueries(<DriftView />);
  const summary = await screen.findByRole("region", { name: "Summary" });
  expect(api.driftCompare).toHaveBeenCalledWith(
    { kind: "snapshot", snapshotId: 1 },
    { kind: "snapshot", snapshotId: 3 },
  );
  expect(within(summary).getByRole("button", { name: /1 added/ })).toBeTruthy();
  expect(within(summary).getByText("3 differences in 2 types; 2 touch security")).toBeTruthy();
  expect(within(summary).getByText(/only reordered/).textContent).toMatch(/4\s*only reordered/);
  expect(within(summary).getByText(/ignored/).textContent).toMatch(/1\s*ignored/);
  // The list shows the summary beside the name.
  expect(screen.getByText("fieldPermissions[Account.ACV__c].editable true → false")).toBeTruthy();

  await user.click(screen.getByRole("button", { name: "changed Profile Standard" }));
  const edits = await screen.findByRole("list", { name: "Element changes" });
  expect(within(edits).getByText("fieldPermissions[Account.ACV__c].editable")).toBeTruthy();
  expect(screen.getByText(/2 order-only changes hidden/)).toBeTruthy();
  expect(screen.getAllByText("field-level security").length).toBeGreaterThan(0);

  await user.click(screen.getByRole("checkbox", { name: "Show reordered" }));
  await waitFor(() =>
    expect(api.driftComponent).toHaveBeenLastCalledWith(
      expect.anything(),
      expect.anything(),
      "Profile",
      "Standard",
      true,
    ),
  );
});

test("the keyboard walks the changes and ticks them for a deploy", async () => {
  const user = userEvent.setup();
  renderWithQueries(<DriftView />);
  await screen.findByRole("region", { name: "Summary" });
  await user.keyboard("j");
  expect(current("added ApexClass IndustryClassifier")).toBe("true");
  await user.keyboard("jx");
  expect(
    (screen.getByRole("checkbox", { name: "Select Profile Admin" }) as HTMLInputElement).checked,
  ).toBe(true);
  await user.keyboard("k");
  expect(current("added ApexClass IndustryClassifier")).toBe("true");
  await user.keyboard("/");
  expect(document.activeElement).toBe(screen.getByRole("searchbox", { name: "Filter changes" }));
  await user.click(screen.getByRole("checkbox", { name: "Select every ApexClass change" }));
  expect(screen.getByText("2 selected")).toBeTruthy();

  await user.click(screen.getByRole("button", { name: "Deploy these…" }));
  const dialog = await screen.findByRole("dialog");
  expect(api.driftPackageXml).toHaveBeenCalledWith(
    [
      { typeName: "ApexClass", fullName: "IndustryClassifier" },
      { typeName: "Profile", fullName: "Admin" },
    ],
    "66.0",
  );
  await within(dialog).findByText(/<members>Admin<\/members>/);
  await user.type(within(dialog).getByPlaceholderText(/package.xml/), "/tmp/package.xml");
  await user.click(within(dialog).getByRole("button", { name: "Save package.xml" }));
  expect(await within(dialog).findByText("Written to /tmp/package.xml")).toBeTruthy();
});

test("narrowing by kind and type, and an ignore rule from an element edit", async () => {
  const user = userEvent.setup();
  renderWithQueries(<DriftView />);
  const summary = await screen.findByRole("region", { name: "Summary" });
  await user.click(within(summary).getByRole("button", { name: /changed$/ }));
  expect(screen.queryByRole("button", { name: "changed Profile Admin" })).toBeNull();
  await user.click(within(summary).getByRole("button", { name: /changed$/ }));
  await user.click(within(summary).getByRole("button", { name: /^ApexClass/ }));
  expect(screen.queryByRole("button", { name: "changed Profile Admin" })).toBeNull();
  await user.click(within(summary).getByRole("button", { name: /^ApexClass/ }));

  await user.click(screen.getByRole("button", { name: "changed Profile Standard" }));
  const edits = await screen.findByRole("list", { name: "Element changes" });
  await user.click(within(edits).getByRole("button", { name: "Ignore…" }));
  const dialog = await screen.findByRole("dialog", { name: "Ignore rules" });
  expect(
    within(dialog).getByDisplayValue("fieldPermissions[Account.ACV__c].editable"),
  ).toBeTruthy();
  await user.click(within(dialog).getByRole("button", { name: "Add rule" }));
  await waitFor(() =>
    expect(api.driftRuleAdd).toHaveBeenCalledWith(
      {
        kind: "element",
        typeName: "Profile",
        pattern: "fieldPermissions[Account.ACV__c].editable",
        note: "",
      },
      expect.anything(),
    ),
  );
});

test("the matrix scores each org and drills into a cell", async () => {
  const user = userEvent.setup();
  renderWithQueries(<DriftView />);
  await screen.findByRole("region", { name: "Summary" });
  await user.click(screen.getByRole("tab", { name: "Matrix" }));
  await user.click(await screen.findByRole("button", { name: "Build matrix" }));
  expect(api.driftMatrix).toHaveBeenCalledWith({ kind: "snapshot", snapshotId: 1 }, [3, 2]);
  expect(await screen.findByText("95.8%")).toBeTruthy();
  expect(screen.getByText("89.6%")).toBeTruthy();
  await user.click(
    screen.getByRole("button", { name: "Standard in acme-uat: different from the baseline" }),
  );
  await waitFor(() =>
    expect(api.driftComponent).toHaveBeenCalledWith(
      { kind: "snapshot", snapshotId: 1 },
      { kind: "snapshot", snapshotId: 2 },
      "Profile",
      "Standard",
      false,
    ),
  );
  expect(
    (
      screen.getByRole("button", {
        name: "Standard in acme-dev: same as the baseline",
      }) as HTMLButtonElement
    ).disabled,
  ).toBe(true);
  await user.click(screen.getByRole("checkbox", { name: "Select ApexClass IndustryClassifier" }));
  await user.click(screen.getByRole("button", { name: "Deploy these…" }));
  expect(api.driftPackageXml).toHaveBeenCalledWith(
    [{ typeName: "ApexClass", fullName: "IndustryClassifier" }],
    "66.0",
  );
});

test("50,000 changes render only the rows in view", async () => {
  const many: DriftReport = {
    ...report,
    types: [
      {
        typeName: "CustomField",
        added: 50_000,
        removed: 0,
        changed: 0,
        unchanged: 0,
        ignored: 0,
        reordered: 0,
      },
    ],
    changes: Array.from({ length: 50_000 }, (_, i) => ({
      typeName: "CustomField",
      fullName: `Account.Field_${String(i).padStart(5, "0")}__c`,
      change: "added" as const,
      label: null,
      risks: [],
      summary: "new, 1 file(s)",
    })),
  };
  vi.mocked(api.driftCompare).mockResolvedValueOnce(many);
  renderWithQueries(<DriftView />);
  await screen.findByRole("region", { name: "Summary" });
  expect(screen.getByRole("button", { name: /^CustomField/, expanded: true }).textContent).toMatch(
    /50,000/,
  );
  const rendered = document.querySelectorAll(".change-row").length;
  expect(rendered).toBeGreaterThan(5);
  expect(rendered).toBeLessThan(100);
  const user = userEvent.setup();
  await user.type(screen.getByRole("searchbox", { name: "Filter changes" }), "Field_49999");
  expect(document.querySelectorAll(".change-row")).toHaveLength(1);
});

test("two orgs as they are now: both snapshotted afresh, then compared", async () => {
  const user = userEvent.setup();
  renderWithQueries(<DriftView />);
  await screen.findByRole("region", { name: "Summary" });
  const finished = {
    id: 41,
    kind: "compare",
    title: "Compare acme-prod ↔ acme-dev",
    status: "succeeded",
    progressDone: 2,
    progressTotal: 2,
    phase: null,
    error: null,
    result: {
      leftSnapshot: snapshot(11, 1, "acme-prod"),
      rightSnapshot: snapshot(13, 3, "acme-dev"),
      report,
    },
    createdAt: 0,
    startedAt: 0,
    finishedAt: 1,
  };
  vi.mocked(api.jobsList).mockResolvedValue([finished as never]);
  await user.selectOptions(screen.getByRole("combobox", { name: "Left" }), "org:1");
  await user.selectOptions(screen.getByRole("combobox", { name: "Right" }), "org:3");
  await user.click(screen.getByRole("button", { name: "Compare" }));
  expect(api.driftCompareOrgs).toHaveBeenCalledWith(1, 3);
  await waitFor(() =>
    expect(api.driftCompare).toHaveBeenLastCalledWith(
      { kind: "snapshot", snapshotId: 11 },
      { kind: "snapshot", snapshotId: 13 },
    ),
  );
});

test("one org as it is now against a stored snapshot", async () => {
  const user = userEvent.setup();
  renderWithQueries(<DriftView />);
  await screen.findByRole("region", { name: "Summary" });
  vi.mocked(api.snapshotTake).mockResolvedValueOnce([52]);
  vi.mocked(api.jobsList).mockResolvedValue([
    {
      id: 52,
      kind: "snapshot",
      title: "Snapshot acme-uat",
      status: "succeeded",
      progressDone: 1,
      progressTotal: 1,
      phase: null,
      error: null,
      result: snapshot(22, 2, "acme-uat"),
      createdAt: 0,
      startedAt: 0,
      finishedAt: 1,
    } as never,
  ]);
  await user.selectOptions(screen.getByRole("combobox", { name: "Right" }), "org:2");
  await user.click(screen.getByRole("button", { name: "Compare" }));
  expect(api.snapshotTake).toHaveBeenCalledWith([2]);
  await waitFor(() =>
    expect(api.driftCompare).toHaveBeenLastCalledWith(
      { kind: "snapshot", snapshotId: 1 },
      { kind: "snapshot", snapshotId: 22 },
    ),
  );
});

test("a project folder on disk compares against a snapshot", async () => {
  const user = userEvent.setup();
  renderWithQueries(<DriftView />);
  await screen.findByRole("region", { name: "Summary" });
  await user.selectOptions(screen.getByRole("combobox", { name: "Right" }), "folder");
  await user.type(screen.getByRole("textbox", { name: "Right folder" }), "/home/me/acme");
  await user.click(screen.getByRole("button", { name: "Compare" }));
  expect(api.driftCompare).toHaveBeenLastCalledWith(
    { kind: "snapshot", snapshotId: 1 },
    { kind: "folder", path: "/home/me/acme" },
  );
});

test("the review report is saved in the chosen format", async () => {
  const user = userEvent.setup();
  renderWithQueries(<DriftView />);
  const summary = await screen.findByRole("region", { name: "Summary" });
  await user.click(within(summary).getByRole("button", { name: "Save report…" }));
  const dialog = await screen.findByRole("dialog", { name: "Save the review report" });
  await user.click(within(dialog).getByRole("radio", { name: "JSON" }));
  await user.type(within(dialog).getByRole("textbox"), "/tmp/drift.json");
  await user.click(within(dialog).getByRole("button", { name: "Save report" }));
  expect(await within(dialog).findByText("Written to /tmp/drift.json")).toBeTruthy();
  expect(api.driftReportSave).toHaveBeenCalledWith(
    { kind: "snapshot", snapshotId: 1 },
    { kind: "snapshot", snapshotId: 3 },
    "json",
    "/tmp/drift.json",
  );
});
