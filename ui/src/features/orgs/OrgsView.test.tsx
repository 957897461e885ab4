import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { renderWithQueries } from "../../test-utils";
import type { OrgRecord } from "../../bindings/OrgRecord";
import { buildRequest } from "./ConnectDialog";
import { OrgsView } from "./OrgsView";

const hoisted = vi.hoisted(() => ({ orgs: [] as OrgRecord[] }));

vi.mock("../../api/ipc", () => ({
  api: {
    orgsList: vi.fn(async () => hoisted.orgs),
    orgCheck: vi.fn(async () => hoisted.orgs[0]),
    orgDisconnect: vi.fn(async () => undefined),
    orgUpdate: vi.fn(async () => hoisted.orgs[0]),
    orgConnect: vi.fn(async () => 12),
    jobsList: vi.fn(async () => []),
    jobsWatch: vi.fn(async () => undefined),
    jobCancel: vi.fn(async () => undefined),
  },
}));

import { api } from "../../api/ipc";

function org(overrides: Partial<OrgRecord>): OrgRecord {
  return {
    id: 1,
    alias: "acme-prod",
    orgId: "00D000000000001AAA",
    username: "admin@acme.com",
    userId: null,
    name: "Acme Production",
    instanceUrl: "https://acme.my.salesforce.com",
    loginUrl: "https://login.salesforce.com",
    kind: "production",
    colour: "#dc2626",
    protected: true,
    authMethod: "web",
    clientId: "PlatformCLI",
    instanceName: null,
    organizationType: null,
    trialExpiresAt: null,
    apiUsed: 1200,
    apiMax: 15000,
    lastSeenAt: Date.now() - 60_000,
    lastError: null,
    tags: ["client-acme"],
    createdAt: 0,
    updatedAt: 0,
    ...overrides,
  };
}

function renderView() {
  return renderWithQueries(<OrgsView />);
}

beforeEach(() => {
  hoisted.orgs = [];
  vi.clearAllMocks();
});

describe("OrgsView", () => {
  it("teaches the first step when no org is connected", async () => {
    renderView();
    expect(await screen.findByText("No orgs connected yet")).toBeTruthy();
    await userEvent.click(
      screen.getAllByRole("button", { name: /connect an org/i })[0] as HTMLElement,
    );
    expect(screen.getByRole("dialog", { name: "Connect an org" })).toBeTruthy();
  });

  it("shows identity, usage and health for each org", async () => {
    hoisted.orgs = [
      org({}),
      org({
        id: 2,
        alias: "acme-uat",
        kind: "sandbox",
        protected: false,
        lastError: "The session expired — reconnect",
      }),
    ];
    renderView();
    const prod = await screen.findByRole("listitem", { name: "acme-prod" });
    expect(within(prod).getByText("Production")).toBeTruthy();
    expect(within(prod).getByText("Protected")).toBeTruthy();
    expect(within(prod).getByText("8% API")).toBeTruthy();
    const uat = screen.getByRole("listitem", { name: "acme-uat" });
    expect(within(uat).queryByText("Protected")).toBeNull();
    expect(within(uat).getByRole("alert").textContent).toContain("reconnect");
    await userEvent.click(within(uat).getByRole("button", { name: "Reconnect" }));
    expect(api.orgConnect).toHaveBeenCalledWith(
      expect.objectContaining({ method: "web", alias: "acme-uat", loginHost: "production" }),
    );
  });

  it("asks for the alias before disconnecting a protected org", async () => {
    hoisted.orgs = [org({})];
    renderView();
    const row = await screen.findByRole("listitem", { name: "acme-prod" });
    await userEvent.click(within(row).getByRole("button", { name: "Disconnect" }));
    const dialog = screen.getByRole("dialog");
    const confirm = within(dialog).getByRole("button", { name: "Disconnect" }) as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    await userEvent.type(within(dialog).getByRole("textbox"), "acme-prod");
    expect(confirm.disabled).toBe(false);
    await userEvent.click(confirm);
    expect(api.orgDisconnect).toHaveBeenCalledWith(1, "acme-prod");
  });

  it("filters by tag", async () => {
    hoisted.orgs = [org({}), org({ id: 2, alias: "globex", tags: ["client-globex"] })];
    renderView();
    await screen.findByRole("listitem", { name: "globex" });
    await userEvent.type(screen.getByRole("searchbox"), "globex");
    expect(screen.getAllByRole("listitem")).toHaveLength(1);
  });
});

describe("buildRequest", () => {
  const base = {
    method: "web" as const,
    host: "sandbox" as const,
    customUrl: "",
    alias: " acme-uat ",
    tags: "UAT, client-acme, uat",
    clientId: "",
    username: "",
    keyPath: "",
    authUrl: "",
    cliUsername: "",
  };

  it("passes a custom connected app for a web login", () => {
    expect(buildRequest({ ...base, clientId: " 3MVG9abc " })).toMatchObject({
      method: "web",
      clientId: "3MVG9abc",
    });
  });

  it("builds a web login for the chosen host", () => {
    expect(buildRequest(base)).toEqual({
      method: "web",
      alias: "acme-uat",
      loginHost: "sandbox",
      clientId: null,
      tags: ["uat", "client-acme"],
    });
    expect(
      buildRequest({ ...base, host: "custom", customUrl: " https://acme.my.salesforce.com " }),
    ).toMatchObject({
      loginHost: "https://acme.my.salesforce.com",
    });
  });

  it("builds a Salesforce CLI import", () => {
    expect(buildRequest({ ...base, method: "sf_cli", cliUsername: "dana@acme.com" })).toEqual({
      method: "sf_cli",
      alias: "acme-uat",
      username: "dana@acme.com",
      tags: ["uat", "client-acme"],
    });
  });

  it("builds JWT and sfdx URL requests", () => {
    expect(
      buildRequest({
        ...base,
        method: "jwt",
        clientId: "3MV",
        username: "ci@acme.com",
        keyPath: "/k",
      }),
    ).toMatchObject({
      method: "jwt",
      clientId: "3MV",
      username: "ci@acme.com",
      keyPath: "/k",
    });
    expect(buildRequest({ ...base, method: "sfdx_url", authUrl: "force://x" })).toEqual({
      method: "sfdx_url",
      alias: "acme-uat",
      authUrl: "force://x",
      tags: ["uat", "client-acme"],
    });
  });
});
