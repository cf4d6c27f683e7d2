import { useMemo, useState } from 'react';
import type { Output } from '../../../../main/api/contract';

type Code = Output<'codes.list'>[number];

interface Props {
  codes: Code[];
  selectedText: string | null;
  onApply: (code: Code) => void;
  onCreate: (name: string) => void;
  onClose: () => void;
}

type Option = { kind: 'code'; code: Code } | { kind: 'create'; name: string };

/** One key ("q" or Ctrl+K) opens it; type to filter codes by name or path, Enter applies. */
export function QuickCodePalette({ codes, selectedText, onApply, onCreate, onClose }: Props) {
  const [text, setText] = useState('');
  const [active, setActive] = useState(0);
  const options = useMemo<Option[]>(() => {
    const q = text.trim().toLowerCase();
    const matches = q ? codes.filter((c) => c.path.toLowerCase().includes(q)) : codes;
    const sorted = [...matches].sort((a, b) => Number(!a.name.toLowerCase().startsWith(q)) - Number(!b.name.toLowerCase().startsWith(q)));
    const out: Option[] = sorted.map((code) => ({ kind: 'code', code }));
    if (q && !codes.some((c) => c.name.toLowerCase() === q || c.path.toLowerCase() === q)) out.push({ kind: 'create', name: text.trim() });
    return out;
  }, [codes, text]);
  const choose = (o: Option | undefined) => {
    if (!o) return;
    if (o.kind === 'code') onApply(o.code);
    else onCreate(o.name);
  };
  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'ArrowDown') setActive((a) => Math.min(options.length - 1, a + 1));
    else if (e.key === 'ArrowUp') setActive((a) => Math.max(0, a - 1));
    else if (e.key === 'Enter') choose(options[Math.min(active, options.length - 1)]);
    else if (e.key === 'Escape') onClose();
    else return;
    e.preventDefault();
    e.stopPropagation();
  };
  const label = (o: Option) => (o.kind === 'code' ? o.code.path : `Create code “${o.name}” and apply it`);
  return (
    <div className="overlay" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div role="dialog" aria-modal="true" aria-label="Quick code" className="dialog palette">
        <p className="muted">{selectedText ? `Code “${selectedText.length > 80 ? `${selectedText.slice(0, 80)}…` : selectedText}” with:` : 'Select text first, then choose a code.'}</p>
        <input
          autoFocus
          role="combobox"
          aria-expanded="true"
          aria-controls="palette-options"
          aria-activedescendant={options.length ? `palette-${Math.min(active, options.length - 1)}` : undefined}
          aria-label="Code name or path"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setActive(0);
          }}
          onKeyDown={onKeyDown}
        />
        <ul role="listbox" id="palette-options" aria-label="Matching codes" className="palette-list">
          {options.map((o, i) => (
            <li
              key={o.kind === 'code' ? o.code.id : '__create'}
              id={`palette-${i}`}
              role="option"
              aria-selected={i === Math.min(active, options.length - 1)}
              className={i === Math.min(active, options.length - 1) ? 'active' : ''}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => choose(o)}
            >
              {o.kind === 'code' && <span className="swatch" style={{ backgroundColor: o.code.color }} aria-hidden="true" />}
              {label(o)}
              {o.kind === 'code' && o.code.shortcut ? <kbd className="shortcut">{o.code.shortcut}</kbd> : null}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
