import type { JobRecord } from "../bindings/JobRecord";
import { mergeJobs } from "./queries";

function job(id: number, status: JobRecord["status"], progressDone = 0): JobRecord {
  return {
    id,
    kind: "store_maintenance",
    title: `job ${id}`,
    status,
    progressDone,
    progressTotal: 6,
    phase: null,
    error: null,
    result: null,
    createdAt: id,
    startedAt: id,
    finishedAt: status === "running" ? null : id + 1,
  };
}

test("a refetch answered before a fast job finished does not undo its end", () => {
  const cached = [job(2, "succeeded", 6), job(1, "succeeded", 6)];
  const fetched = [job(2, "running", 1), job(1, "succeeded", 6)];
  expect(mergeJobs(cached, fetched).map((j) => [j.id, j.status])).toEqual([
    [2, "succeeded"],
    [1, "succeeded"],
  ]);
});

test("the fetched row wins when it is further along or final", () => {
  expect(mergeJobs([job(3, "running", 2)], [job(3, "running", 4)])[0]?.progressDone).toBe(4);
  expect(mergeJobs([job(3, "running", 5)], [job(3, "running", 4)])[0]?.progressDone).toBe(5);
  expect(mergeJobs([job(3, "running", 5)], [job(3, "failed", 2)])[0]?.status).toBe("failed");
});

test("jobs started after the fetch stay; older ones the fetch no longer lists go", () => {
  const cached = [job(9, "running"), job(1, "succeeded")];
  const fetched = [job(5, "succeeded")];
  expect(mergeJobs(cached, fetched).map((j) => j.id)).toEqual([9, 5]);
  expect(mergeJobs(undefined, fetched).map((j) => j.id)).toEqual([5]);
});
