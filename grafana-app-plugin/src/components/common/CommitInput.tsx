import React, { useEffect, useState, type KeyboardEvent } from 'react';
import { Icon, Input } from '@grafana/ui';

interface Props {
  value: string;
  onCommit: (value: string) => void;
  placeholder?: string;
  width?: number;
  'aria-label': string;
  prefixIcon?: 'search' | 'filter';
}

/**
 * A text filter that changes the URL when the person presses Enter or leaves the field, not on
 * every keystroke (each change is a request to the exporter and a history entry).
 */
export function CommitInput({ value, onCommit, placeholder, width = 24, prefixIcon, ...rest }: Props) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const commit = () => {
    if (draft.trim() !== value) {
      onCommit(draft.trim());
    }
  };
  return (
    <Input
      width={width}
      value={draft}
      placeholder={placeholder}
      aria-label={rest['aria-label']}
      prefix={prefixIcon ? <Icon name={prefixIcon} /> : undefined}
      onChange={(e) => setDraft(e.currentTarget.value)}
      onBlur={commit}
      onKeyDown={(e: KeyboardEvent<HTMLInputElement>) => {
        if (e.key === 'Enter') {
          commit();
        }
      }}
    />
  );
}
