import { useEffect, useRef, useState } from 'react';

export interface MenuItem {
  label: string;
  onSelect: () => void;
  disabled?: boolean;
  shortcut?: string;
}

export interface Menu {
  label: string;
  items: MenuItem[];
}

/** A WAI-ARIA menubar: Left/Right between menus, Down opens, Up/Down within, Escape closes. */
export function MenuBar({ menus }: { menus: Menu[] }) {
  const [open, setOpen] = useState<number | null>(null);
  const barRef = useRef<HTMLDivElement>(null);
  const topRefs = useRef<(HTMLButtonElement | null)[]>([]);

  useEffect(() => {
    if (open === null) return;
    const close = (e: MouseEvent) => {
      if (!barRef.current?.contains(e.target as Node)) setOpen(null);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);

  const focusItem = (menu: number, item: number) => {
    requestAnimationFrame(() => {
      const items = barRef.current?.querySelectorAll<HTMLButtonElement>(`[data-menu="${menu}"] [role="menu"] [role="menuitem"]:not([disabled])`);
      if (!items || items.length === 0) return;
      items[(item + items.length) % items.length]?.focus();
    });
  };
  const openMenu = (i: number, item = 0) => {
    setOpen(i);
    focusItem(i, item);
  };

  const onTopKey = (e: React.KeyboardEvent, i: number) => {
    const n = menus.length;
    if (e.key === 'ArrowRight') topRefs.current[(i + 1) % n]?.focus();
    else if (e.key === 'ArrowLeft') topRefs.current[(i - 1 + n) % n]?.focus();
    else if (e.key === 'ArrowDown' || e.key === 'Enter' || e.key === ' ') openMenu(i);
    else if (e.key === 'ArrowUp') openMenu(i, -1);
    else return;
    e.preventDefault();
  };
  const onItemKey = (e: React.KeyboardEvent, i: number) => {
    const items = Array.from(barRef.current?.querySelectorAll<HTMLButtonElement>(`[data-menu="${i}"] [role="menu"] [role="menuitem"]:not([disabled])`) ?? []);
    const at = items.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'ArrowDown') items[(at + 1) % items.length]?.focus();
    else if (e.key === 'ArrowUp') items[(at - 1 + items.length) % items.length]?.focus();
    else if (e.key === 'Escape') {
      setOpen(null);
      topRefs.current[i]?.focus();
    } else if (e.key === 'ArrowRight') openMenu((i + 1) % menus.length);
    else if (e.key === 'ArrowLeft') openMenu((i - 1 + menus.length) % menus.length);
    else return;
    e.preventDefault();
    e.stopPropagation();
  };

  return (
    <div role="menubar" aria-label="Main menu" className="menubar" ref={barRef}>
      {menus.map((m, i) => (
        <div key={m.label} className="menu-wrap" data-menu={i}>
          <button
            type="button"
            role="menuitem"
            aria-haspopup="menu"
            aria-expanded={open === i}
            ref={(el) => {
              topRefs.current[i] = el;
            }}
            tabIndex={i === 0 ? 0 : -1}
            className="menu-top"
            onClick={() => (open === i ? setOpen(null) : setOpen(i))}
            onMouseEnter={() => open !== null && open !== i && setOpen(i)}
            onKeyDown={(e) => onTopKey(e, i)}
          >
            {m.label}
          </button>
          {open === i && (
            <div role="menu" aria-label={m.label} className="menu">
              {m.items.map((it) => (
                <button
                  key={it.label}
                  type="button"
                  role="menuitem"
                  disabled={it.disabled}
                  className="menu-item"
                  // A long label (Undo with what it undoes) is cut to one line; the whole of it shows on hover.
                  title={it.label}
                  onKeyDown={(e) => onItemKey(e, i)}
                  onClick={() => {
                    setOpen(null);
                    it.onSelect();
                  }}
                >
                  <span className="menu-label">{it.label}</span>
                  {it.shortcut && <kbd>{it.shortcut}</kbd>}
                </button>
              ))}
            </div>
          )}
        </div>
      ))}
    </div>
  );
}
