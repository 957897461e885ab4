/** Org identity, used everywhere an org is named: colour chip, alias, kind badge, lock. */
import type { OrgKind } from "../../bindings/OrgKind";
import type { OrgRecord } from "../../bindings/OrgRecord";
import { LockIcon } from "../../shell/icons";

export const kindLabel: Record<OrgKind, string> = {
  production: "Production",
  sandbox: "Sandbox",
  developer: "Developer",
  scratch: "Scratch",
};

export function KindBadge({ kind }: { kind: OrgKind }) {
  return <span className={`kind-badge kind-${kind}`}>{kindLabel[kind]}</span>;
}

export function OrgChip({
  org,
}: {
  org: Pick<OrgRecord, "alias" | "colour" | "kind" | "protected">;
}) {
  return (
    <span className="org-chip">
      <span className="org-colour" style={{ background: org.colour }} aria-hidden="true" />
      <span className="org-alias">{org.alias}</span>
      <KindBadge kind={org.kind} />
      {org.protected && (
        <span className="org-lock" title="Protected: destructive actions ask you to type the alias">
          <LockIcon size={14} />
          <span className="sr-only">Protected</span>
        </span>
      )}
    </span>
  );
}
