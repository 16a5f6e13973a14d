"""Exchange with other tools: REFI-QDA (QDPX projects, QDC codebooks), Taguette, tables.

refi.py        namespaces, GUIDs, schemas (Project-mrt2019.xsd, Codebook.xsd), the code tree
safety.py      size and XML checks made before anything is read (zips: interviews zipsafe)
limits.py      characters per source and sources per import (settings)
offsets.py     linear position maps: another tool's positions carried into our text
qdpx_text.py   a QDPX text kept verbatim (only \\r\\n -> \\n), and its map
qdpx_export.py / qdpx_names.py     whole projects out (users, unique names, texts back)
qdpx_import.py / qdpx_sources.py / qdpx_files.py / qdpx_counts.py   whole projects in
qdc.py, codebook_merge.py     codebooks out, and merged in (QDC, CSV, QualCoder's .txt)
taguette.py    Taguette's project export
plan.py, create.py            what an imported project holds, and saving it as a new project
handover.py    a placeholder coder's work handed over to a member
tabular.py, csv_import.py     CSV/XLSX/DOCX downloads; codebook and cases from tables
imports.py, pending.py        what each import reads and saves; results kept until confirmed
views.py, urls.py, forms.py   the Exchange page, downloads, the import previews, hand-over
"""
