/**
 * Ignore rules of this workspace: by type, by name glob or by element path. Comparisons
 * apply them at once and always say how many changes they hid, so nothing hides silently.
 */
import { useState } from "react";
import type { DriftRuleKind } from "../../bindings/DriftRuleKind";
import type { NewDriftRule } from "../../bindings/NewDriftRule";
import { useAddDriftRule, useDeleteDriftRule, useDriftRules } from "../../api/queries";
import { Dialog, DialogActions } from "../../shell/Dialog";
import { SegmentedChoice } from "../../shell/Segmented";

const kindWords: Record<DriftRuleKind, { label: string; placeholder: string; help: string }> = {
  type: {
    label: "A whole type",
    placeholder: "Translations",
    help: "Every component of the types matching this glob.",
  },
  name: {
    label: "Components by name",
    placeholder: "ns__*",
    help: "Components whose full name matches this glob (* any run, ? one character).",
  },
  element: {
    label: "An element path",
    placeholder: "loginIpRanges",
    help: "Elements below the file's root, e.g. loginIpRanges, apiVersion or fieldPermissions[Account.Industry].editable. A component is hidden only when nothing else changed.",
  },
};

type Props = {
  onClose: () => void;
  /** A rule to start from (from "Ignore…" on a component or an element edit). */
  draft?: NewDriftRule;
};

export function RulesDialog({ onClose, draft }: Props) {
  const rules = useDriftRules();
  const add = useAddDriftRule();
  const remove = useDeleteDriftRule();
  const [rule, setRule] = useState<NewDriftRule>(
    draft ?? { kind: "element", typeName: null, pattern: "", note: "" },
  );
  const words = kindWords[rule.kind];
  const save = () =>
    add.mutate(
      { ...rule, pattern: rule.pattern.trim(), typeName: rule.typeName?.trim() || null },
      { onSuccess: () => setRule({ ...rule, pattern: "", note: "" }) },
    );

  return (
    <Dialog
      title="Ignore rules"
      onClose={onClose}
      width={640}
      footer={
        <DialogActions
          onCancel={onClose}
          cancelLabel="Done"
          onConfirm={save}
          confirmLabel="Add rule"
          disabled={!rule.pattern.trim() || add.isPending}
        />
      }
    >
      <p className="muted">
        Rules apply to every comparison in this workspace. Ignored changes are still counted on
        every report.
      </p>
      {(rules.data ?? []).length === 0 ? (
        <p className="muted">No rules yet.</p>
      ) : (
        <table className="table rules-table" aria-label="Rules">
          <tbody>
            {(rules.data ?? []).map((r) => (
              <tr key={r.id}>
                <td>{kindWords[r.kind].label}</td>
                <td>
                  <code>{r.pattern}</code>
                  {r.typeName && <span className="muted"> in {r.typeName}</span>}
                  {r.note && <div className="muted">{r.note}</div>}
                </td>
                <td className="row-actions">
                  <button
                    type="button"
                    className="button button-quiet button-small"
                    onClick={() => remove.mutate(r.id)}
                    aria-label={`Delete rule ${r.pattern}`}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <fieldset className="rule-form">
        <legend>New rule</legend>
        <SegmentedChoice
          label="Rule kind"
          name="rule-kind"
          options={(Object.keys(kindWords) as DriftRuleKind[]).map(
            (k) => [k, kindWords[k].label] as const,
          )}
          value={rule.kind}
          onChange={(kind) => setRule({ ...rule, kind })}
        />
        <label className="form-row">
          <span>Pattern</span>
          <input
            value={rule.pattern}
            placeholder={words.placeholder}
            spellCheck={false}
            onChange={(e) => setRule({ ...rule, pattern: e.target.value })}
          />
        </label>
        <p className="muted form-help">{words.help}</p>
        {rule.kind !== "type" && (
          <label className="form-row">
            <span>Only in type (empty = every type)</span>
            <input
              value={rule.typeName ?? ""}
              placeholder="Profile"
              spellCheck={false}
              onChange={(e) => setRule({ ...rule, typeName: e.target.value || null })}
            />
          </label>
        )}
        <label className="form-row">
          <span>Why (shown beside the rule)</span>
          <input
            value={rule.note}
            placeholder="Login IP ranges differ per org by design"
            onChange={(e) => setRule({ ...rule, note: e.target.value })}
          />
        </label>
      </fieldset>
      {add.error && <p className="form-error">{add.error.message}</p>}
      {remove.error && <p className="form-error">{remove.error.message}</p>}
    </Dialog>
  );
}
