"""
Reads a .qdpx the way QualCoder's REFI-QDA project import does (qualcoder/refi.py,
RefiImport.import_project, as of QualCoder 3.x/4.0: standard-library xml.etree, zipfile), for
tests that Marginalia's exports read correctly there. Only what QualCoder does is done here,
including its quirks, so a file that works here works there:

- the archive is unpacked and `project.qde` opened by exactly that name; the sources folder is
  "Sources", or "sources" when that exists, and it must exist (QualCoder lists it);
- a TextSource's text is `plainTextPath` after "internal:/", read with open(encoding="utf-8")
  (Python's universal newlines); when its first line ends in CRLF (and the origin is not
  ATLAS.ti) every "\\n" becomes "\\n " to keep two-unit line ends counting;
- a coding's text is fulltext[startPosition:endPosition] (code points); its memo is the
  PlainTextSelection's Description; a coding repeating code, source, span and owner is
  refused by QualCoder's unique index, so it is kept once;
- a source's memo is its Description, the project memo is the project's Description, a code's
  memo its Description; Notes are read as journals only with a plainTextPath and a name.

    python3 qualcoder_refi_reader.py FILE.qdpx  ->  JSON on stdout
"""
import json
import os
import shutil
import sys
import tempfile
import xml.etree.ElementTree as etree
import zipfile

NS = '{urn:QDA-XML:project:1.0}'


def read(path):
    folder = tempfile.mkdtemp(prefix='qualcoder-')
    try:
        zipfile.ZipFile(path).extractall(folder)
        sources_name = '/Sources'
        for i in os.listdir(folder):
            if i == 'sources':
                sources_name = '/sources'
        os.listdir(folder + sources_name)  # QualCoder counts the sources for its progress dialog
        root = etree.parse(folder + '/project.qde').getroot()
        software = root.get('origin') or ''
        users = {u.get('guid'): u.get('name') for u in root.iter(NS + 'User')}
        codes = {}
        project_memo = None
        for c in root.iter(NS + 'Code'):
            memo = ''
            for el in list(c):
                if el.tag == NS + 'Description':
                    memo = el.text
            codes[c.get('guid')] = {'name': c.get('name'), 'memo': memo}
        for el in list(root):
            if el.tag == NS + 'Description':
                project_memo = el.text
        sources, codings, journals = [], [], []
        for s in root.iter(NS + 'TextSource'):
            memo = ''
            for el in list(s):
                if el.tag == NS + 'Description':
                    memo = el.text
            source_path = folder + sources_name + s.get('plainTextPath').split('internal:/')[1]
            add_ending = False
            with open(source_path, 'rb') as f:
                while True:
                    c = f.read(1)
                    if not c or c == b'\n':
                        break
                    if c == b'\r' and f.read(1) == b'\n':
                        add_ending = True
            if 'ATLAS' in software:
                add_ending = False
            with open(source_path, encoding='utf-8', errors='replace') as f:
                fulltext = f.read()
            if add_ending:
                fulltext = fulltext.replace('\n', '\n ')
            sources.append({'name': s.get('name'), 'memo': memo, 'fulltext': fulltext})
            seen = set()
            for sel in s.findall(NS + 'PlainTextSelection'):
                pos0, pos1 = int(sel.get('startPosition')), int(sel.get('endPosition'))
                owner = users.get(sel.get('creatingUser') or sel.get('modifyingUser'), 'default')
                sel_memo = ''
                for el in sel:
                    if el.tag == NS + 'Description' and el.text is not None:
                        sel_memo = el.text
                for el in sel:
                    if el.tag != NS + 'Coding':
                        continue
                    code = codes.get(list(el)[0].get('targetGUID'))
                    key = (code['name'] if code else None, s.get('name'), pos0, pos1, owner)
                    if key in seen:
                        continue
                    seen.add(key)
                    codings.append({'source': s.get('name'), 'code': code['name'] if code else None, 'owner': owner,
                                    'seltext': fulltext[pos0:pos1], 'pos0': pos0, 'pos1': pos1, 'memo': sel_memo})
        notes = root.find(NS + 'Notes')
        for n in [] if notes is None else list(notes):
            if n.get('plainTextPath') is not None and n.get('name') != '':
                journals.append(n.get('name'))
        return {'origin': software, 'project_memo': project_memo, 'codes': codes, 'sources': sources, 'codings': codings, 'journals': journals}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == '__main__':
    print(json.dumps(read(sys.argv[1]), ensure_ascii=False))
