/** Disconnect an org: revokes its session; a protected org needs its alias typed. */
import { useState } from "react";
import type { OrgRecord } from "../../bindings/OrgRecord";
import { useDisconnectOrg } from "../../api/queries";
import { Dialog, DialogActions } from "../../shell/Dialog";

export function DisconnectDialog({ org, onClose }: { org: OrgRecord; onClose: () => void }) {
  const [typed, setTyped] = useState("");
  const disconnect = useDisconnectOrg();
  const confirmed = !org.protected || typed === org.alias;
  return (
    <Dialog
      title={`Disconnect ${org.alias}?`}
      onClose={onClose}
      footer={
        <DialogActions
          onCancel={onClose}
          cancelLabel="Keep connected"
          onConfirm={() =>
            disconnect.mutate(
              { id: org.id, confirmAlias: org.protected ? typed : null },
              { onSuccess: onClose },
            )
          }
          confirmLabel="Disconnect"
          disabled={!confirmed || disconnect.isPending}
          danger
        />
      }
    >
      <p>
        Orgfleet revokes its session with <strong>{org.name}</strong> ({org.username}) and forgets
        the stored credentials. Snapshots and history stay.
      </p>
      {org.protected && (
        <label className="form-row">
          <span>
            Type <code>{org.alias}</code> to confirm
          </span>
          <input
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            spellCheck={false}
            autoComplete="off"
          />
        </label>
      )}
      {disconnect.error && (
        <p className="form-error" role="alert">
          {disconnect.error.message}
        </p>
      )}
    </Dialog>
  );
}
