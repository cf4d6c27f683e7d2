import { markedName } from '../../../../main/api/contract/safe-text';

/** The codebook as `<option>`s by path ("attribution/blames Russia"), for every code picker. */
export function CodeOptions({ codes }: { codes: readonly { id: string; path: string }[] }) {
  return (
    <>
      {codes.map((c) => (
        <option key={c.id} value={c.id}>
          {markedName(c.path)}
        </option>
      ))}
    </>
  );
}
