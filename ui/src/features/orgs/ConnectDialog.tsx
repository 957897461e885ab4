/**
 * Connect an org (journey 1): choose Production, Sandbox or a custom My Domain, name it, and
 * log in in the browser. The login runs as a job: the dialog follows its progress, can cancel
 * it, and closes when the org is connected. JWT and sfdx auth URLs are under "Other ways".
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { ConnectRequest } from "../../bindings/ConnectRequest";
import { api } from "../../api/ipc";
import { keys, useConnectOrg, useJob } from "../../api/queries";
import { Dialog } from "../../shell/Dialog";
import { parseTags } from "./EditOrgDialog";

type Method = "web" | "jwt" | "sfdx_url" | "sf_cli";
type Host = "production" | "sandbox" | "custom";

const hosts: { id: Host; title: string; hint: string }[] = [
  { id: "production", title: "Production", hint: "login.salesforce.com — also Developer Edition" },
  { id: "sandbox", title: "Sandbox", hint: "test.salesforce.com" },
  { id: "custom", title: "My Domain", hint: "your company's login URL" },
];

export function buildRequest(form: {
  method: Method;
  host: Host;
  customUrl: string;
  alias: string;
  tags: string;
  clientId: string;
  username: string;
  keyPath: string;
  authUrl: string;
  cliUsername: string;
}): ConnectRequest {
  const loginHost = form.host === "custom" ? form.customUrl.trim() : form.host;
  const tags = parseTags(form.tags);
  const alias = form.alias.trim();
  if (form.method === "jwt") {
    return {
      method: "jwt",
      alias,
      loginHost,
      clientId: form.clientId.trim(),
      username: form.username.trim(),
      keyPath: form.keyPath.trim(),
      tags,
    };
  }
  if (form.method === "sfdx_url")
    return { method: "sfdx_url", alias, authUrl: form.authUrl.trim(), tags };
  if (form.method === "sf_cli")
    return { method: "sf_cli", alias, username: form.cliUsername, tags };
  return { method: "web", alias, loginHost, clientId: form.clientId.trim() || null, tags };
}

export function ConnectDialog({ onClose }: { onClose: () => void }) {
  const [form, setForm] = useState({
    method: "web" as Method,
    host: "production" as Host,
    customUrl: "",
    alias: "",
    tags: "",
    clientId: "",
    username: "",
    keyPath: "",
    authUrl: "",
    cliUsername: "",
  });
  const set = (patch: Partial<typeof form>) => setForm((f) => ({ ...f, ...patch }));
  const connect = useConnectOrg();
  const client = useQueryClient();
  const jobId = connect.data;
  const job = useJob(jobId);
  const running = job !== undefined && (job.status === "queued" || job.status === "running");

  useEffect(() => {
    if (job?.status === "succeeded") {
      client.invalidateQueries({ queryKey: keys.orgs });
      onClose();
    }
  }, [job?.status, client, onClose]);

  const submit = () => connect.mutate(buildRequest(form));
  const error =
    connect.error?.message ?? (job && job.status !== "succeeded" && !running ? job.error : null);

  return (
    <Dialog
      title="Connect an org"
      onClose={onClose}
      width={560}
      footer={
        running ? (
          <button
            type="button"
            className="button"
            onClick={() => jobId !== undefined && api.jobCancel(jobId)}
          >
            Cancel login
          </button>
        ) : (
          <>
            <button type="button" className="button" onClick={onClose}>
              Close
            </button>
            <button
              type="button"
              className="button button-primary"
              onClick={submit}
              disabled={connect.isPending || form.alias.trim() === ""}
            >
              {form.method === "web" ? "Log in with browser" : "Connect"}
            </button>
          </>
        )
      }
    >
      {running ? (
        <div className="connect-waiting" role="status">
          <span className="spinner" aria-hidden="true" />
          <p>{job?.phase ?? "Starting…"}</p>
        </div>
      ) : (
        <>
          {(form.method === "web" || form.method === "jwt") && (
            <div className="host-cards" role="radiogroup" aria-label="Where to log in">
              {hosts.map((h) => (
                <label
                  key={h.id}
                  className={form.host === h.id ? "host-card host-card-selected" : "host-card"}
                >
                  <input
                    type="radio"
                    name="host"
                    checked={form.host === h.id}
                    onChange={() => set({ host: h.id })}
                  />
                  <strong>{h.title}</strong>
                  <span className="muted">{h.hint}</span>
                </label>
              ))}
            </div>
          )}
          {form.host === "custom" && (form.method === "web" || form.method === "jwt") && (
            <label className="form-row">
              <span>Login URL</span>
              <input
                value={form.customUrl}
                onChange={(e) => set({ customUrl: e.target.value })}
                placeholder="https://acme.my.salesforce.com"
                spellCheck={false}
              />
            </label>
          )}
          <label className="form-row">
            <span>Alias</span>
            <input
              value={form.alias}
              onChange={(e) => set({ alias: e.target.value })}
              placeholder={form.host === "sandbox" ? "acme-uat" : "acme-prod"}
              spellCheck={false}
            />
          </label>
          <label className="form-row">
            <span>Tags</span>
            <input
              value={form.tags}
              onChange={(e) => set({ tags: e.target.value })}
              placeholder="client-acme, uat"
              spellCheck={false}
            />
          </label>
          <details className="other-ways" open={form.method !== "web"}>
            <summary>Other ways to connect</summary>
            <div className="segmented" role="radiogroup" aria-label="Method">
              {(
                [
                  ["web", "Browser"],
                  ["jwt", "JWT (CI)"],
                  ["sf_cli", "Salesforce CLI"],
                  ["sfdx_url", "sfdx auth URL"],
                ] as const
              ).map(([id, label]) => (
                <label
                  key={id}
                  className={form.method === id ? "segment segment-selected" : "segment"}
                >
                  <input
                    type="radio"
                    name="method"
                    checked={form.method === id}
                    onChange={() => set({ method: id })}
                  />
                  {label}
                </label>
              ))}
            </div>
            {form.method === "web" && (
              <label className="form-row">
                <span>Connected app client id (optional; default: the Salesforce CLI's)</span>
                <input
                  value={form.clientId}
                  onChange={(e) => set({ clientId: e.target.value })}
                  placeholder="PlatformCLI"
                  spellCheck={false}
                />
              </label>
            )}
            {form.method === "jwt" && (
              <>
                <label className="form-row">
                  <span>Client id</span>
                  <input
                    value={form.clientId}
                    onChange={(e) => set({ clientId: e.target.value })}
                  />
                </label>
                <label className="form-row">
                  <span>Username</span>
                  <input
                    value={form.username}
                    onChange={(e) => set({ username: e.target.value })}
                  />
                </label>
                <label className="form-row">
                  <span>Private key file</span>
                  <input
                    value={form.keyPath}
                    onChange={(e) => set({ keyPath: e.target.value })}
                    placeholder="/home/me/keys/server.key"
                  />
                </label>
              </>
            )}
            {form.method === "sf_cli" && (
              <SfCliPicker
                selected={form.cliUsername}
                onPick={(username, alias) =>
                  set({ cliUsername: username, alias: form.alias || (alias ?? "") })
                }
              />
            )}
            {form.method === "sfdx_url" && (
              <label className="form-row">
                <span>Auth URL</span>
                <input
                  value={form.authUrl}
                  onChange={(e) => set({ authUrl: e.target.value })}
                  placeholder="force://PlatformCLI::…@acme.my.salesforce.com"
                  spellCheck={false}
                />
              </label>
            )}
          </details>
        </>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </Dialog>
  );
}

/** The orgs the Salesforce CLI on this machine knows, to import without logging in again. */
function SfCliPicker({
  selected,
  onPick,
}: {
  selected: string;
  onPick: (username: string, alias: string | null) => void;
}) {
  const orgs = useQuery({ queryKey: ["sf-cli-orgs"], queryFn: api.sfCliOrgs, retry: false });
  if (orgs.isLoading) return <p className="muted">Asking the Salesforce CLI…</p>;
  if (orgs.error) return <p className="form-error">{orgs.error.message}</p>;
  if (!orgs.data?.length)
    return <p className="muted">The Salesforce CLI is not logged in to any org.</p>;
  return (
    <div className="cli-orgs" role="radiogroup" aria-label="Salesforce CLI orgs">
      {orgs.data.map((o) => (
        <label
          key={o.username}
          className={o.username === selected ? "cli-org cli-org-selected" : "cli-org"}
        >
          <input
            type="radio"
            name="cli-org"
            checked={o.username === selected}
            onChange={() => onPick(o.username, o.alias)}
          />
          <strong>{o.alias ?? o.username}</strong>
          <span className="muted">
            {o.username}
            {o.isSandbox ? " · sandbox" : o.isScratch ? " · scratch" : ""}
            {o.alreadyConnected ? " · already connected" : ""}
          </span>
        </label>
      ))}
    </div>
  );
}
