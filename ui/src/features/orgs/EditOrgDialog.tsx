/** Edit an org's alias, colour, tags and protection. */
import { useState } from "react";
import type { OrgRecord } from "../../bindings/OrgRecord";
import { useUpdateOrg } from "../../api/queries";
import { Dialog, DialogActions } from "../../shell/Dialog";

export const PALETTE = [
  "#dc2626",
  "#ea580c",
  "#d97706",
  "#16a34a",
  "#0891b2",
  "#2563eb",
  "#7c3aed",
  "#db2777",
];

export function parseTags(text: string): string[] {
  return [
    ...new Set(
      text
        .split(",")
        .map((t) => t.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
}

export function EditOrgDialog({ org, onClose }: { org: OrgRecord; onClose: () => void }) {
  const [alias, setAlias] = useState(org.alias);
  const [colour, setColour] = useState(org.colour);
  const [tags, setTags] = useState(org.tags.join(", "));
  const [isProtected, setProtected] = useState(org.protected);
  const update = useUpdateOrg();
  const save = () =>
    update.mutate(
      { id: org.id, settings: { alias, colour, protected: isProtected, tags: parseTags(tags) } },
      { onSuccess: onClose },
    );
  return (
    <Dialog
      title={`Edit ${org.alias}`}
      onClose={onClose}
      footer={
        <DialogActions
          onCancel={onClose}
          onConfirm={save}
          confirmLabel="Save"
          disabled={update.isPending}
        />
      }
    >
      <label className="form-row">
        <span>Alias</span>
        <input value={alias} onChange={(e) => setAlias(e.target.value)} spellCheck={false} />
      </label>
      <div className="form-row">
        <span id="colour-label">Colour</span>
        <div className="swatches" role="radiogroup" aria-labelledby="colour-label">
          {PALETTE.map((c) => (
            <label
              key={c}
              className={c === colour ? "swatch swatch-selected" : "swatch"}
              style={{ background: c }}
            >
              <input
                type="radio"
                name="colour"
                value={c}
                checked={c === colour}
                onChange={() => setColour(c)}
              />
              <span className="sr-only">{c}</span>
            </label>
          ))}
        </div>
      </div>
      <label className="form-row">
        <span>Tags</span>
        <input
          value={tags}
          onChange={(e) => setTags(e.target.value)}
          placeholder="client-acme, uat"
          spellCheck={false}
        />
      </label>
      <label className="form-check">
        <input
          type="checkbox"
          checked={isProtected}
          onChange={(e) => setProtected(e.target.checked)}
        />
        <span>
          Protected — destructive actions on this org ask you to type its alias
          {org.kind === "production" && " (recommended for production)"}
        </span>
      </label>
      {update.error && (
        <p className="form-error" role="alert">
          {update.error.message}
        </p>
      )}
    </Dialog>
  );
}
