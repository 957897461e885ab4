import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { renderWithQueries } from "../test-utils";
import type { AppInfo } from "../bindings/AppInfo";
import type { Preferences } from "../bindings/Preferences";
import { App } from "./App";
import { resolveTheme } from "./theme";

const hoisted = vi.hoisted(() => ({
  info: null as AppInfo | null,
  prefs: { theme: "dark", lastView: "settings", window: null } as Preferences,
  saved: [] as Preferences[],
}));

vi.mock("../api/ipc", () => ({
  api: {
    appInfo: vi.fn(async () => hoisted.info),
    prefsGet: vi.fn(async () => hoisted.prefs),
    prefsSet: vi.fn(async (p: Preferences) => {
      hoisted.saved.push(p);
    }),
    jobsList: vi.fn(async () => []),
    jobsWatch: vi.fn(async () => undefined),
  },
}));

const healthy: AppInfo = {
  version: "0.1.0",
  dataDir: "/home/dana/.local/share/orgfleet",
  databasePath: "/home/dana/.local/share/orgfleet/orgfleet.sqlite3",
  interruptedAtStart: 0,
  storeError: null,
  secretStore: { Ok: "the operating system's keychain" },
};

function renderApp() {
  return renderWithQueries(<App />);
}

beforeEach(() => {
  hoisted.info = healthy;
  hoisted.saved.length = 0;
});

describe("App shell", () => {
  it("restores the last view and the theme, and remembers navigation", async () => {
    renderApp();
    expect(await screen.findByRole("heading", { name: "Settings" })).toBeTruthy();
    expect(document.documentElement.dataset.theme).toBe("dark");
    await userEvent.click(screen.getByRole("button", { name: /activity/i }));
    expect(await screen.findByRole("heading", { name: "Activity" })).toBeTruthy();
    expect(hoisted.saved.at(-1)?.lastView).toBe("activity");
  });

  it("switches theme from settings and says where credentials are kept", async () => {
    renderApp();
    expect(await screen.findByText("Kept in the operating system's keychain")).toBeTruthy();
    await userEvent.click(await screen.findByRole("radio", { name: "Light" }));
    expect(hoisted.saved.at(-1)?.theme).toBe("light");
    expect(document.documentElement.dataset.theme).toBe("light");
  });

  it("shows what to do when the store is damaged instead of the app", async () => {
    hoisted.info = {
      ...healthy,
      databasePath: "",
      storeError: { code: "store_damaged", message: "The database is damaged", detail: null },
    };
    renderApp();
    expect(await screen.findByText("Orgfleet can't open its local store")).toBeTruthy();
    expect(screen.getByText(/move the database file/i)).toBeTruthy();
    expect(screen.queryByRole("navigation")).toBeNull();
  });

  it("resolves the system theme from the OS preference", () => {
    expect(resolveTheme("system", true)).toBe("dark");
    expect(resolveTheme("system", false)).toBe("light");
    expect(resolveTheme("light", true)).toBe("light");
  });
});
