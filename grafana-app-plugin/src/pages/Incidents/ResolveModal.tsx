import React, { useState } from 'react';
import { Button, Field, Modal, TextArea } from '@grafana/ui';

interface Props {
  /** How many incidents the note goes to (1 on the detail page). */
  count: number;
  onDismiss: () => void;
  onResolve: (note: string) => void | Promise<void>;
}

/** Resolve with a resolution note; one note can close several incidents at once. */
export function ResolveModal({ count, onDismiss, onResolve }: Props) {
  const [note, setNote] = useState('');
  return (
    <Modal
      title={count === 1 ? 'Resolve incident' : `Resolve ${count} incidents`}
      isOpen
      onDismiss={onDismiss}
    >
      <Field
        label="Resolution note"
        description="What fixed it, for the timeline and the post-incident review"
      >
        <TextArea
          aria-label="Resolution note"
          rows={4}
          value={note}
          onChange={(e) => setNote(e.currentTarget.value)}
          placeholder="Rolled back the release; added an index on orders.customer_id"
        />
      </Field>
      <Modal.ButtonRow>
        <Button variant="secondary" fill="outline" onClick={onDismiss}>
          Cancel
        </Button>
        <Button icon="check-circle" onClick={() => onResolve(note.trim())}>
          Resolve
        </Button>
      </Modal.ButtonRow>
    </Modal>
  );
}
