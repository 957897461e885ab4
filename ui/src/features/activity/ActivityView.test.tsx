import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { renderWithQueries } from "../../test-utils";
import type { JobEvent } from "../../bindings/JobEvent";
import type { JobRecord } from "../../bindings/JobRecord";
import { ActivityView } from "./ActivityView";

const hoisted = vi.hoisted(() => ({
  listeners: [] as ((e: JobEvent) => void)[],
  jobs: [] as JobRecord[],
}));

vi.mock("../../api/ipc", () => ({
  api: {
    appInfo: vi.fn(async () => ({
      version: "0.1.0",
      dataDir: "/tmp/x",
      databasePath: "/tmp/x/db",
      interruptedAtStart: 1,
      storeError: null,
      secretStore: { Ok: "the operating system's keychain" },
    })),
    jobsList: vi.fn(async () => hoisted.jobs),
    jobsWatch: vi.fn(async (listener: (e: JobEvent) => void) => {
      hoisted.listeners.push(listener);
    }),
    jobCancel: vi.fn(async () => undefined),
    storeCheckStart: vi.fn(async () => 3),
  },
}));

import { api } from "../../api/ipc";

function job(overrides: Partial<JobRecord>): JobRecord {
  return {
    id: 1,
    kind: "store_maintenance",
    title: "Check and compact the local store",
    status: "running",
    progressDone: 2,
    progressTotal: 6,
    phase: "Checking integrity",
    error: null,
    result: null,
    createdAt: Date.now() - 5000,
    startedAt: Date.now() - 4000,
    finishedAt: null,
    ...overrides,
  };
}

function renderView() {
  return renderWithQueries(<ActivityView />);
}

beforeEach(() => {
  hoisted.listeners.length = 0;
  hoisted.jobs = [];
  vi.clearAllMocks();
});

describe("ActivityView", () => {
  it("teaches the next step when there are no jobs", async () => {
    renderView();
    expect(await screen.findByText("No activity yet")).toBeTruthy();
    await userEvent.click(
      screen.getAllByRole("button", { name: /check store/i })[1] as HTMLElement,
    );
    expect(api.storeCheckStart).toHaveBeenCalledOnce();
  });

  it("shows live progress and moves a job to done when its event arrives", async () => {
    hoisted.jobs = [job({})];
    renderView();
    const row = await screen.findByRole("article", { name: /check and compact/i });
    expect(within(row).getByTestId("job-status").textContent).toBe("Running");
    expect(within(row).getByTestId("job-progress").getAttribute("data-percent")).toBe("33");
    expect(within(row).getByText(/2 of 6 · Checking integrity/)).toBeTruthy();

    const finished = job({
      status: "succeeded",
      progressDone: 6,
      finishedAt: Date.now(),
      result: { problems: [], compacted: true, bytesBefore: 2048, bytesAfter: 1024 },
    });
    expect(hoisted.listeners.length).toBeGreaterThan(0);
    await act(async () => {
      for (const listen of hoisted.listeners) listen({ job: finished });
    });
    await waitFor(() => expect(within(row).getByTestId("job-status").textContent).toBe("Done"));
    expect(within(row).getByTestId("job-progress").getAttribute("data-percent")).toBe("100");
    expect(within(row).getByText(/Healthy · compacted 2.0 KB → 1.0 KB/)).toBeTruthy();
  });

  it("cancels a running job and hides cancel for finished ones", async () => {
    hoisted.jobs = [
      job({ id: 2 }),
      job({ id: 1, status: "failed", error: "the disk is full", finishedAt: Date.now() }),
    ];
    renderView();
    const running = await screen.findAllByRole("article");
    expect(running).toHaveLength(2);
    const [first, second] = running as [HTMLElement, HTMLElement];
    await userEvent.click(within(first).getByRole("button", { name: "Cancel" }));
    expect(api.jobCancel).toHaveBeenCalledWith(2, expect.anything());
    expect(within(second).queryByRole("button", { name: "Cancel" })).toBeNull();
    expect(within(second).getByRole("alert").textContent).toBe("the disk is full");
  });

  it("says when jobs were interrupted by the last shutdown and filters problems", async () => {
    hoisted.jobs = [
      job({ id: 2, status: "succeeded", progressDone: 6, finishedAt: Date.now() }),
      job({ id: 1, status: "interrupted", error: "Orgfleet stopped while this job was running." }),
    ];
    renderView();
    expect(await screen.findByText(/1 job was interrupted/)).toBeTruthy();
    await userEvent.click(screen.getByRole("tab", { name: /problems/i }));
    const rows = screen.getAllByRole("article");
    expect(rows).toHaveLength(1);
    expect(within(rows[0] as HTMLElement).getByTestId("job-status").textContent).toBe(
      "Interrupted",
    );
  });
});
