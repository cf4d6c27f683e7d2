import { Fragment } from 'react';
import { splitName } from '../../../main/api/contract/safe-text';
import './safe-text.css';

/**
 * A name from outside (a file, attribute, code or coder name from someone else's project),
 * shown as it is stored but with each character that would act instead of showing (a
 * right-to-left override that makes "report‮txt.exe" read "reportexe.txt", a line break,
 * an escape) marked as a small "⟨U+202E⟩" that says what it is. Names without such
 * characters render as plain text. For attributes (aria-label, title), use markedName.
 */
export function SafeText({ text }: { text: string }) {
  const parts = splitName(text);
  if (parts.length === 1 && 'text' in parts[0]!) return <>{text}</>;
  return (
    <>
      {parts.map((p, i) =>
        'text' in p ? (
          <Fragment key={i}>{p.text}</Fragment>
        ) : (
          <span key={i} className="safe-text-mark" role="img" aria-label={`${p.description} character`} title={`${p.label}, ${p.description}: a control character in this name, shown instead of acting`}>
            ⟨{p.label}⟩
          </span>
        ),
      )}
    </>
  );
}
