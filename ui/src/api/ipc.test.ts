import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { ApiError, api, toApiError } from "./ipc";

afterEach(() => clearMocks());

describe("ipc", () => {
  it("passes command names and arguments through", async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === "jobs_list") return [];
      if (cmd === "store_check_start") return 7;
      return null;
    });
    expect(await api.jobsList(25)).toEqual([]);
    expect(await api.storeCheckStart()).toBe(7);
    expect(calls[0]).toEqual(["jobs_list", { limit: 25 }]);
    expect(calls[1]?.[0]).toBe("store_check_start");
  });

  it("turns backend errors into ApiError with their code", async () => {
    mockIPC(() => {
      throw {
        code: "store_damaged",
        message: "Move the file aside",
        detail: "file is not a database",
      };
    });
    const error = await api.jobsList().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe("store_damaged");
    expect((error as ApiError).detail).toBe("file is not a database");
  });

  it("maps unknown rejections to internal errors", () => {
    expect(toApiError("boom").code).toBe("internal");
    expect(toApiError(new Error("x")).message).toBe("x");
  });
});
