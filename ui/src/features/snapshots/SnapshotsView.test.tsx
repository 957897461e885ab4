import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { renderWithQueries } from "../../test-utils";
import type { SnapshotRecord } from "../../bindings/SnapshotRecord";
import { SnapshotsView } from "./SnapshotsView";

const hoisted = vi.hoisted(() => ({
  snapshots: [] as SnapshotRecord[],
  jobs: [] as Record<string, unknown>[],
}));

vi.mock("../../api/ipc", () => ({
  api: {
    snapshotsList: vi.fn(async () => hoisted.snapshots),
    snapshotTake: vi.fn(async () => [5]),
    snapshotImport: vi.fn(async () => 9),
    snapshotComponents: vi.fn(async () => [
      { typeName: "ApexClass", fullName: "InvoiceService", contentHash: "a", size: 120 },
      { typeName: "CustomObject", fullName: "Invoice__c", contentHash: "b", size: 900 },
      { typeName: "CustomObject", fullName: "Account", contentHash: "c", size: 800 },
    ]),
    snapshotFile: vi.fn(async () => [
      { path: "classes/InvoiceService.cls", size: 40, text: "public class InvoiceService {\n}" },
      { path: "staticresources/logo.resource", size: 10, text: null },
    ]),
    snapshotDelete: vi.fn(async () => ({ blobsRemoved: 3, bytesFreed: 1000 })),
    orgsList: vi.fn(async () => [
      {
        id: 1,
        alias: "acme-prod",
        name: "Acme Production",
        kind: "production",
        colour: "#dc2626",
        protected: true,
        tags: [],
      },
    ]),
    jobsList: vi.fn(async () => hoisted.jobs),
    jobsWatch: vi.fn(async () => undefined),
    jobCancel: vi.fn(async () => undefined),
  },
}));

import { api } from "../../api/ipc";

const snapshot: SnapshotRecord = {
  id: 7,
  source: { kind: "org", orgRowId: 1 },
  orgAlias: "acme-prod",
  label: "acme-prod 2026-11-22",
  apiVersion: "66.0",
  createdAt: Date.now() - 120_000,
  componentCount: 1234,
  fileCount: 1500,
  totalBytes: 3 * 1024 * 1024,
  warnings: [{ typeName: "Report", message: "listMetadata failed: INVALID_TYPE" }],
};

function renderView() {
  return renderWithQueries(<SnapshotsView />);
}

beforeEach(() => {
  hoisted.snapshots = [];
  hoisted.jobs = [];
  vi.clearAllMocks();
});

describe("SnapshotsView", () => {
  it("teaches the first step and takes snapshots of the chosen orgs", async () => {
    renderView();
    expect(await screen.findByText("No snapshots yet — take one")).toBeTruthy();
    await userEvent.click(
      screen.getAllByRole("button", { name: /take snapshot/i })[0] as HTMLElement,
    );
    const dialog = screen.getByRole("dialog");
    await userEvent.click(await within(dialog).findByRole("checkbox"));
    await userEvent.click(within(dialog).getByRole("button", { name: /snapshot 1 org/i }));
    expect(api.snapshotTake).toHaveBeenCalledWith([1]);
  });

  it("lists snapshots with size and warnings", async () => {
    hoisted.snapshots = [snapshot];
    renderView();
    const row = await screen.findByRole("row", { name: snapshot.label });
    expect(within(row).getByText("1,234")).toBeTruthy();
    expect(within(row).getByText("3.0 MB")).toBeTruthy();
    expect(within(row).getByText("1 warning(s)")).toBeTruthy();
  });

  it("browses types, components and files", async () => {
    hoisted.snapshots = [snapshot];
    renderView();
    const row = await screen.findByRole("row", { name: snapshot.label });
    await userEvent.click(within(row).getByRole("button", { name: "Browse" }));
    const types = await screen.findByRole("list", { name: "Metadata types" });
    await userEvent.click(await within(types).findByRole("button", { name: /CustomObject/ }));
    expect(screen.getByRole("button", { name: "Invoice__c" })).toBeTruthy();
    await userEvent.click(within(types).getByRole("button", { name: /ApexClass/ }));
    await userEvent.click(screen.getByRole("button", { name: "InvoiceService" }));
    expect((await screen.findByTestId("file-content")).textContent).toContain(
      "public class InvoiceService",
    );
    expect(screen.getByText("Binary file, not shown.")).toBeTruthy();
    expect(screen.getByText(/1 type\(s\) could not be captured/)).toBeTruthy();
  });

  it("deletes a snapshot after confirmation", async () => {
    hoisted.snapshots = [snapshot];
    renderView();
    const row = await screen.findByRole("row", { name: snapshot.label });
    await userEvent.click(within(row).getByRole("button", { name: "Delete" }));
    await userEvent.click(
      within(screen.getByRole("dialog")).getByRole("button", { name: "Delete snapshot" }),
    );
    expect(api.snapshotDelete).toHaveBeenCalledWith(7);
  });

  it("imports as a job and says why an import failed", async () => {
    renderView();
    await userEvent.click(await screen.findByRole("button", { name: "Import…" }));
    const dialog = screen.getByRole("dialog");
    await userEvent.type(within(dialog).getByRole("textbox"), "/home/me/empty");
    hoisted.jobs = [
      {
        id: 9,
        kind: "snapshot_import",
        title: "Import empty",
        status: "failed",
        progressDone: 0,
        progressTotal: 3,
        phase: "Reading /home/me/empty",
        error: "/home/me/empty holds no metadata components",
        result: null,
        createdAt: 0,
        startedAt: 0,
        finishedAt: 1,
      },
    ];
    await userEvent.click(within(dialog).getByRole("button", { name: "Import" }));
    expect(api.snapshotImport).toHaveBeenCalledWith("/home/me/empty");
    expect(await within(dialog).findByText(/holds no metadata components/)).toBeTruthy();
    expect(screen.getByRole("dialog")).toBe(dialog);
  });
});
