import React, { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Combobox, Text, type ComboboxOption } from '@grafana/ui';
import { lookupOrgUsers, UserLookupError } from '../../api/grafanaUsers';

interface Props {
  /** The incident's assignee (a login), or null. */
  value: string | null;
  disabled: boolean;
  /** Called with the chosen login, or null when the field is cleared. */
  onChange: (login: string | null) => void;
}

export const ASSIGNEE_INPUT_ID = 'perfwatch-incident-assignee';

/**
 * Grafana's users to pick the assignee from, searched as you type. A login Grafana does not list
 * can still be typed (an on-call person outside Grafana, or a responder whom Grafana does not let
 * list users), so the picker never blocks an assignment the exporter would take.
 */
export function AssigneePicker({ value, disabled, onChange }: Props) {
  const [lookupError, setLookupError] = useState<string | undefined>();

  const options = useCallback(async (input: string): Promise<Array<ComboboxOption<string>>> => {
    try {
      const users = await lookupOrgUsers(input.trim());
      setLookupError(undefined);
      return users.map((u) => ({ label: u.login, value: u.login }));
    } catch (e) {
      // Answered with no options rather than rejected: Combobox would log the rejection as an error
      // and show a generic message; the reason is shown under the field instead.
      setLookupError(e instanceof UserLookupError ? e.message : String(e));
      return [];
    }
  }, []);

  const current = useMemo(() => (value ? { label: value, value } : null), [value]);
  // Combobox reports a pick again (as the menu closes) before the incident's new assignee is read
  // back; a second request for the same login was refused as "already assigned to" it.
  const requested = useRef<string | null | undefined>(undefined);
  useEffect(() => {
    requested.current = undefined;
  }, [value]);

  return (
    <div>
      <Combobox<string>
        id={ASSIGNEE_INPUT_ID}
        width={28}
        placeholder="Search Grafana users"
        value={current}
        options={options}
        disabled={disabled}
        isClearable
        createCustomValue
        customValueDescription="Assign this login"
        noOptionsMessage="No Grafana user matches"
        onChange={(option) => {
          const login = option?.value.trim() || null;
          if (login !== value && login !== requested.current) {
            requested.current = login;
            onChange(login);
          }
        }}
      />
      {lookupError && (
        <div data-testid="data-testid inc-assignee-error" style={{ maxWidth: 360 }}>
          <Text color="warning" variant="bodySmall" element="p">
            {lookupError}
          </Text>
        </div>
      )}
    </div>
  );
}
