/**
 * Orgs: every connected org with its identity (colour, kind, lock), tags, API usage and
 * health, and the actions on it: check, edit, reconnect, disconnect. Connecting an org is
 * the one primary action.
 */
import { useState } from "react";
import type { OrgRecord } from "../../bindings/OrgRecord";
import { useCheckOrg, useConnectOrg, useOrgs } from "../../api/queries";
import { formatRelative } from "../../shell/format";
import { AlertIcon, CloudIcon, PlusIcon } from "../../shell/icons";
import { ApiUsage } from "./ApiUsage";
import { ConnectDialog } from "./ConnectDialog";
import { DisconnectDialog } from "./DisconnectDialog";
import { EditOrgDialog } from "./EditOrgDialog";
import { OrgChip } from "./OrgChip";
import { ErrorBanner } from "../../shell/ErrorBanner";
import "./orgs.css";

type Open =
  | { kind: "connect" }
  | { kind: "edit"; org: OrgRecord }
  | { kind: "disconnect"; org: OrgRecord }
  | null;

function reconnectRequest(org: OrgRecord) {
  const loginHost = org.loginUrl.includes("login.salesforce.com")
    ? "production"
    : org.loginUrl.includes("test.salesforce.com")
      ? "sandbox"
      : org.loginUrl;
  return {
    method: "web" as const,
    alias: org.alias,
    loginHost,
    clientId: org.clientId,
    tags: org.tags,
  };
}

export function OrgsView() {
  const orgs = useOrgs();
  const check = useCheckOrg();
  const reconnect = useConnectOrg();
  const [open, setOpen] = useState<Open>(null);
  const [filter, setFilter] = useState("");
  const now = Date.now();
  const all = orgs.data ?? [];
  const needle = filter.trim().toLowerCase();
  const visible = needle
    ? all.filter((o) =>
        [o.alias, o.name, o.username, o.kind, ...o.tags].some((v) =>
          v.toLowerCase().includes(needle),
        ),
      )
    : all;

  return (
    <section className="view" aria-labelledby="orgs-title">
      <header className="view-header">
        <div>
          <h1 id="orgs-title">Orgs</h1>
          <p className="view-subtitle">
            Production, sandboxes and client orgs, each with its colour and kind.
          </p>
        </div>
        <button
          type="button"
          className="button button-primary"
          onClick={() => setOpen({ kind: "connect" })}
        >
          <PlusIcon size={16} /> Connect an org
        </button>
      </header>

      {all.length > 0 && (
        <div className="toolbar">
          <input
            className="search"
            type="search"
            placeholder="Filter by alias, name, user or tag"
            aria-label="Filter orgs"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
          />
          <span className="muted">
            {visible.length} of {all.length} orgs
          </span>
        </div>
      )}
      {check.error && <ErrorBanner error={check.error} />}

      {orgs.isLoading ? (
        <p className="muted">Loading orgs…</p>
      ) : orgs.error ? (
        <ErrorBanner error={orgs.error} />
      ) : all.length === 0 ? (
        <div className="empty-state">
          <CloudIcon size={28} />
          <h2>No orgs connected yet</h2>
          <p>
            Connect your production org and its sandboxes to snapshot them, compare them and deploy
            between them. You log in with Salesforce in your browser; Orgfleet never sees your
            password.
          </p>
          <button type="button" className="button" onClick={() => setOpen({ kind: "connect" })}>
            Connect an org
          </button>
        </div>
      ) : (
        <ul className="org-list" aria-label="Connected orgs">
          {visible.map((org) => (
            <li key={org.id} className="org-row" aria-label={org.alias}>
              <div className="org-identity">
                <OrgChip org={org} />
                <span className="org-name">{org.name}</span>
                <span className="muted org-user">{org.username}</span>
              </div>
              <div className="org-tags">
                {org.tags.map((t) => (
                  <span key={t} className="tag">
                    {t}
                  </span>
                ))}
              </div>
              <ApiUsage used={org.apiUsed} max={org.apiMax} />
              <span className="muted org-seen">
                {org.lastSeenAt ? `seen ${formatRelative(org.lastSeenAt, now)}` : "never checked"}
              </span>
              <div className="org-actions">
                <button
                  type="button"
                  className="button button-quiet"
                  onClick={() => check.mutate(org.id)}
                  disabled={check.isPending && check.variables === org.id}
                >
                  {check.isPending && check.variables === org.id ? "Checking…" : "Check"}
                </button>
                <button
                  type="button"
                  className="button button-quiet"
                  onClick={() => setOpen({ kind: "edit", org })}
                >
                  Edit
                </button>
                <button
                  type="button"
                  className="button button-quiet"
                  onClick={() => setOpen({ kind: "disconnect", org })}
                >
                  Disconnect
                </button>
              </div>
              {org.lastError && (
                <div className="org-error" role="alert">
                  <AlertIcon size={14} /> {org.lastError}
                  <button
                    type="button"
                    className="button button-quiet"
                    onClick={() => reconnect.mutate(reconnectRequest(org))}
                  >
                    Reconnect
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}

      {open?.kind === "connect" && <ConnectDialog onClose={() => setOpen(null)} />}
      {open?.kind === "edit" && <EditOrgDialog org={open.org} onClose={() => setOpen(null)} />}
      {open?.kind === "disconnect" && (
        <DisconnectDialog org={open.org} onClose={() => setOpen(null)} />
      )}
    </section>
  );
}
