"""
An independent reading of a REFI-QDA file (.qdpx, .qde or .qdc), written apart from
Marginalia's importer, for tests that compare what the importer stored with what the file
says. Standard library only (xml.etree, zipfile, unicodedata), as /usr/bin/python3 has it.

    python3 refi_independent_reader.py FILE IMPORTER_NAME  ->  JSON on stdout

What it states, from the file and the rules documented in the README ("REFI-QDA with other
programs"), not from the importer's code:

- documents: every TextSource and PDF Representation whose text is in the file, by GUID (lower
  case, no braces), named by the source (a PDF by the PDF's name), text normalised as Marginalia
  stores text (one BOM dropped, CRLF and CR to LF, C0 controls other than tab and LF removed,
  VT and FF to LF, U+FFFE/U+FFFF removed, NFC).
- segments: one per Coding of a PlainTextSelection (and one over the whole text per Coding of a
  source), with the coded text cut from the raw text by the file's positions: UTF-16 code units
  when the origin names NVivo, code points otherwise, then normalised as above.
- memos: Notes (by their first NoteRef, or a Link from the Note), and every Description that is a
  memo in the programs that write it: a selection's (a segment memo, or a memo on the document
  when the passage has no code), a source's (a document memo), the project's (a project memo).
  A memo on something Marginalia does not import (a picture, a video selection, a document
  whose text is missing) is kept as a project memo.
- dropped: what cannot come across, counted by kind.
"""
import json
import re
import sys
import unicodedata
import xml.etree.ElementTree as ET
import zipfile

P = '{urn:QDA-XML:project:1.0}'
C = '{urn:QDA-XML:codebook:1.0}'
UUID = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
PALETTE_MARK = None  # a colour the file does not give (or gives unreadably): any palette colour


def guid(g):
    return (g or '').strip().strip('{}').lower()


def normalise(raw):
    text = raw[1:] if raw.startswith('\ufeff') else raw
    text = text.replace('\r\n', '\n').replace('\r', '\n')
    text = re.sub('[\x0b\x0c]', '\n', text)
    text = re.sub('[\x00-\x08\x0e-\x1f\ufffe\uffff]', '', text)
    return unicodedata.normalize('NFC', text)


def colour(raw):
    if raw is None:
        return PALETTE_MARK
    c = raw.strip()
    if re.fullmatch(r'#[0-9a-fA-F]{6}', c):
        return c.lower()
    if re.fullmatch(r'#[0-9a-fA-F]{8}', c):
        return c[:7].lower()
    if re.fullmatch(r'#[0-9a-fA-F]{3}', c):
        return ('#' + ''.join(ch * 2 for ch in c[1:])).lower()
    m = re.fullmatch(r'rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*[\d.]+%?\s*)?\)', c, re.I)
    if m and all(int(x) <= 255 for x in m.groups()):
        return '#' + ''.join('%02x' % int(x) for x in m.groups())
    return PALETTE_MARK


class Reader:
    def __init__(self, path, importer):
        self.importer = importer
        self.files = {}
        data = open(path, 'rb').read()
        if data[:4] == b'PK\x03\x04':
            z = zipfile.ZipFile(path)
            for name in z.namelist():
                self.files[name.replace('\\', '/').lower()] = z.read(name)
            qde = sorted((n for n in self.files if n.endswith('.qde')), key=lambda n: (n.count('/'), n))[0]
            data = self.files[qde]
        self.root = ET.fromstring(data)
        self.dropped = {}
        self.documents = []
        self.segments = []
        self.memos = []
        self.codes = []
        self.attributes = {}
        self.users = {}

    def drop(self, what, n=1):
        if n > 0:
            self.dropped[what] = self.dropped.get(what, 0) + n

    # ---- archive ----------------------------------------------------------------------
    def find(self, path):
        if not path:
            return None
        p = path.strip()
        m = re.match(r'^internal://(.+)$', p, re.I)
        name = (m.group(1) if m else re.sub(r'^[a-z]+://', '', p, flags=re.I)).replace('\\', '/').lower()
        for key in ('sources/' + name, name):
            if key in self.files:
                return self.files[key]
        base = name.rsplit('/', 1)[-1]
        for k, v in self.files.items():
            if k.rsplit('/', 1)[-1] == base:
                return v
        return None

    def source_text(self, el):
        inline = el.find(P + 'PlainTextContent')
        if inline is not None and (inline.text or '').strip():
            return inline.text, 'ok'
        plain = self.find(el.get('plainTextPath'))
        if plain is not None:
            t = plain.decode('utf-8')
            if t.lstrip('\ufeff').strip():
                return t, 'ok'
        rich = self.find(el.get('richTextPath'))
        if rich is not None and (el.get('richTextPath') or '').lower().endswith('.docx'):
            xml = zipfile.ZipFile(__import__('io').BytesIO(rich)).read('word/document.xml').decode('utf-8')
            if ''.join(re.findall(r'<w:t[^>]*>([^<]*)</w:t>', xml)).strip():
                raise SystemExit('this reader does not read Word text; a test file needs its plain text')
        if el.get('plainTextPath') and plain is None:
            return None, 'document whose text file is missing'
        return None, 'document without text'

    # ---- codes ------------------------------------------------------------------------
    def code_tree(self, parent_el, parent_id, ns):
        taken = set()  # lower-case names the file's codes already hold under this parent
        for c in parent_el.findall(ns + 'Code'):
            name = re.sub(r'\s+', ' ', (c.get('name') or '').strip()) or 'Unnamed code'
            name = name.replace('/', '-')
            written, n = name, 2
            while name.lower() in taken:
                name = '%s (%d)' % (written, n)
                n += 1
            taken.add(name.lower())
            d = c.find(ns + 'Description')
            cid = guid(c.get('guid'))
            self.codes.append({'id': cid, 'parent': parent_id, 'name': name, 'color': colour(c.get('color')),
                               'description': '' if d is None else (d.text or '')})
            self.code_ids.add(cid)
            self.code_tree(c, cid, ns)

    # ---- the project ------------------------------------------------------------------
    def read(self):
        root = self.root
        if root.tag == C + 'CodeBook':
            self.code_ids = set()
            self.code_tree(root.find(C + 'Codes'), None, C)
            sets = root.find(C + 'Sets')
            self.drop('code set', 0 if sets is None else len(sets.findall(C + 'Set')))
            return self.result('cp', root)
        self.origin = root.get('origin') or ''
        unit = 'utf16' if re.search('nvivo', self.origin, re.I) else 'cp'
        for u in root.iter(P + 'User'):
            self.users[guid(u.get('guid'))] = (u.get('name') or u.get('id') or '').strip() or 'User ' + guid(u.get('guid'))[:8]
        self.code_ids = set()
        cb = root.find(P + 'CodeBook')
        if cb is not None and cb.find(P + 'Codes') is not None:
            self.code_tree(cb.find(P + 'Codes'), None, P)
        variables = {guid(v.get('guid')): v.get('name').strip() for v in root.iter(P + 'Variable')}

        # Where each element went: a document, a segment, or nowhere (a label for a project memo).
        self.target = {}
        self.notes_on = {}  # (kind, id) -> memo texts of Notes on it, for the Description rule
        case_values = {}
        for case in root.iter(P + 'Case'):
            vals = self.values(case, variables)
            for ref in case.findall(P + 'SourceRef'):
                case_values.setdefault(guid(ref.get('targetGUID')), {}).update(vals)

        descriptions = []  # (element guid or None, description text, default target)
        sources = root.find(P + 'Sources')
        sources = [] if sources is None else list(sources)
        for s in sources:
            kind = s.tag[len(P):]
            if kind == 'TextSource':
                self.text_source(s, s.get('name'), unit, case_values, variables, descriptions)
            elif kind == 'PDFSource':
                rep = s.find(P + 'Representation')
                mirrored = set()
                if rep is not None:
                    mirrored = {guid(x.get('guid')) for x in rep.findall(P + 'PlainTextSelection')}
                    self.text_source(rep, s.get('name'), unit, case_values, variables, descriptions, pdf=s)
                for sel in s.findall(P + 'PDFSelection'):
                    if guid(sel.get('guid')) not in mirrored:
                        self.drop('coding on a PDF page region', len(sel.findall(P + 'Coding')))
                        self.media_memo(sel, descriptions)
                    self.target.setdefault(guid(sel.get('guid')), ('project', None))
                if rep is None:
                    self.drop('PDF without a text representation')
                    self.drop('coding on a document not imported', len(s.findall(P + 'Coding')))
                    self.media_memo(s, descriptions)
            else:
                what = {'PictureSource': 'picture', 'AudioSource': 'audio', 'VideoSource': 'video'}[kind]
                self.drop(what)
                self.drop('coding on ' + ('a picture' if what == 'picture' else what), len(s.findall(P + 'Coding')))
                self.media_memo(s, descriptions)
                for sel in list(s):
                    tag = sel.tag[len(P):]
                    if tag in ('PictureSelection', 'AudioSelection', 'VideoSelection'):
                        self.drop('coding on ' + ('a picture' if what == 'picture' else what), len(sel.findall(P + 'Coding')))
                        self.media_memo(sel, descriptions)
                    if tag == 'Transcript':
                        self.drop('transcript')
                        self.media_memo(sel, descriptions)
                        for ts in sel.findall(P + 'TranscriptSelection'):
                            self.drop('coding on a transcript', len(ts.findall(P + 'Coding')))
                            self.media_memo(ts, descriptions)
                for el in s.iter():
                    if el.get('guid'):
                        self.target.setdefault(guid(el.get('guid')), ('project', None))
        for c in self.codes:
            self.target[c['id']] = ('code', c['id'])

        # Notes: the first NoteRef in document order decides; else a Link from the note.
        notes = {} if root.find(P + 'Notes') is None else {guid(n.get('guid')): n for n in root.find(P + 'Notes')}
        placed = {}
        for parent in root.iter():
            for ref in parent.findall(P + 'NoteRef'):
                g = guid(ref.get('targetGUID'))
                if g in placed:
                    continue
                if parent is root:
                    placed[g] = ('project', None)
                else:
                    placed[g] = self.target.get(guid(parent.get('guid')), ('project', None))
        links = root.find(P + 'Links')
        links = [] if links is None else links.findall(P + 'Link')
        for link in links:
            origin, to = guid(link.get('originGUID')), guid(link.get('targetGUID'))
            if origin in notes and origin not in placed and to in self.target and self.target[to][0] != 'project':
                placed[origin] = self.target[to]
            else:
                self.drop('link')
        for g, n in notes.items():
            content = n.find(P + 'PlainTextContent')
            text = content.text if content is not None and content.text else ''
            if not text.strip() and n.get('plainTextPath'):
                f = self.find(n.get('plainTextPath'))
                if f is not None:
                    text = normalise(f.decode('utf-8'))
            d = n.find(P + 'Description')
            desc = d.text if d is not None and d.text else ''
            if desc.strip():
                text = text + '\n\n' + desc if text.strip() else desc
            if not text.strip() and not (n.get('name') or '').strip():
                self.drop('memo without text')
                continue
            kind, target = placed.get(g, ('project', None))
            title = n.get('name') or ''
            self.notes_on.setdefault((kind, target), []).append(title + '\n' + text if title and text else title or text)
            self.notes_on[(kind, target)].append(text)
            self.memos.append({'kind': kind, 'target': target, 'text': text})
        for el_guid, desc, default in descriptions:
            kind, target = default if el_guid is None else self.target.get(el_guid, default)
            if self.covered(desc, kind, target):
                continue
            self.memos.append({'kind': kind, 'target': target, 'text': desc})
        d = root.find(P + 'Description')
        if d is not None and (d.text or '').strip() and not self.covered(d.text, 'project', None):
            self.memos.append({'kind': 'project', 'target': None, 'text': d.text})
        # Sets of sources become document sets; a member source not imported, and codes and
        # notes in a set, have no place to go.
        sets = root.find(P + 'Sets')
        for st in ([] if sets is None else sets.findall(P + 'Set')):
            members = [guid(m.get('targetGUID')) for m in st.findall(P + 'MemberSource')]
            self.drop('set member', sum(1 for g in members if self.target.get(g, (None,))[0] != 'document'))
            self.drop('code or memo in a set', len(st.findall(P + 'MemberCode')) + len(st.findall(P + 'MemberNote')))
        graphs = root.find(P + 'Graphs')
        self.drop('graph', 0 if graphs is None else len(list(graphs)))
        return self.result(unit, root)

    def covered(self, desc, kind, target):
        """A Description that repeats the Notes on the same item (as Marginalia writes both) is not a second memo."""
        forms = self.notes_on.get((kind, target), [])
        described = forms[0::2]
        return desc in forms or desc == '\n\n'.join(described)

    def media_memo(self, el, descriptions):
        d = el.find(P + 'Description')
        if d is not None and (d.text or '').strip():
            descriptions.append((None, d.text, ('project', None)))

    def values(self, el, variables):
        out = {}
        for vv in el.findall(P + 'VariableValue'):
            ref = vv.find(P + 'VariableRef')
            name = variables.get(guid(ref.get('targetGUID')))
            for child in vv:
                tag = child.tag[len(P):]
                if tag.endswith('Value') and name:
                    v = child.text or ''
                    out[name] = v if tag == 'TextValue' else (v.strip()[:10] if tag == 'DateValue' else v.strip())
        return out

    def text_source(self, s, name, unit, case_values, variables, descriptions, pdf=None):
        g = guid((pdf if pdf is not None else s).get('guid'))
        raw, why = self.source_text(s)
        owners = [s] if pdf is None else [pdf, s]
        selections = s.findall(P + 'PlainTextSelection')
        whole = [c for o in owners for c in o.findall(P + 'Coding')]
        if raw is None:
            self.drop(why if pdf is None else 'PDF without a text representation')
            self.drop('coding on a document not imported', sum(len(x.findall(P + 'Coding')) for x in selections) + len(whole))
            for o in owners:
                self.media_memo(o, descriptions)
            for sel in selections:
                self.media_memo(sel, descriptions)
                self.target[guid(sel.get('guid'))] = ('project', None)
            self.target[g] = ('project', None)
            return
        source = raw[1:] if raw.startswith('\ufeff') else raw
        text = normalise(raw)
        self.documents.append({'id': g, 'name': (name or '').strip() or g, 'text': text})
        vals = dict(case_values.get(g, {}))
        for o in owners:
            vals.update(self.values(o, variables))
        if vals:
            self.attributes[g] = vals
        self.target[g] = ('document', g)
        if pdf is not None:
            self.target[guid(s.get('guid'))] = ('document', g)
        units = source.encode('utf-16-le') if unit == 'utf16' else None
        size = len(units) // 2 if unit == 'utf16' else len(source)

        def cut(a, b):
            if unit == 'utf16':
                return units[2 * a:2 * b].decode('utf-16-le', errors='ignore')
            return source[a:b]

        for sel in selections:
            sg = guid(sel.get('guid'))
            a, b = int(sel.get('startPosition')), int(sel.get('endPosition'))
            codings = sel.findall(P + 'Coding')
            first = None
            if not (0 <= a < b <= size):
                self.drop('coding whose positions are outside its text', len(codings))
            else:
                coded = normalise(cut(a, b))
                for i, c in enumerate(codings):
                    code = guid(c.find(P + 'CodeRef').get('targetGUID'))
                    if code not in self.code_ids:
                        self.drop('coding of a code not in the file')
                        continue
                    sid = sg if i == 0 else guid(c.get('guid'))
                    coder = self.users.get(guid(c.get('creatingUser'))) or self.users.get(guid(sel.get('creatingUser'))) or self.importer
                    self.segments.append({'document': g, 'code': code, 'coder': coder, 'text': coded})
                    self.target[guid(c.get('guid'))] = ('segment', sid)
                    if first is None:
                        first = sid
            self.target[sg] = ('segment', first) if first else ('document', g)
            d = sel.find(P + 'Description')
            if d is not None and (d.text or '').strip():
                descriptions.append((sg, d.text, ('document', g)))
            elif not codings:
                self.drop('selection without a code')
        for c in whole:
            code = guid(c.find(P + 'CodeRef').get('targetGUID'))
            coder = self.users.get(guid(c.get('creatingUser'))) or self.users.get(guid(s.get('creatingUser'))) or self.importer
            self.segments.append({'document': g, 'code': code, 'coder': coder, 'text': text})
        for o in owners:
            d = o.find(P + 'Description')
            if d is not None and (d.text or '').strip():
                descriptions.append((None, d.text, ('document', g)))

    def result(self, unit, root):
        return {
            'origin': root.get('origin'),
            'unit': unit,
            'users': sorted(set(self.users.values())),
            'codes': self.codes,
            'documents': self.documents,
            'segments': self.segments,
            'memos': self.memos,
            'attributes': self.attributes,
            'dropped': self.dropped,
        }


if __name__ == '__main__':
    print(json.dumps(Reader(sys.argv[1], sys.argv[2]).read(), ensure_ascii=False))
