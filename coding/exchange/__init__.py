"""Exchange with other tools: REFI-QDA (QDPX projects, QDC codebooks), Taguette, tables.

refi.py        namespaces, GUIDs, schemas (Project-mrt2019.xsd, Codebook.xsd), the code tree
safety.py      size, zip and XML checks made before anything is read
offsets.py     carrying another tool's positions into our canonical text
qdpx_export.py / qdpx_import.py (+ qdpx_files.py, qdpx_counts.py)   whole projects
qdc.py, codebook_merge.py     codebooks out, and merged in (QDC or CSV)
taguette.py    Taguette's project export
plan.py, create.py            what an imported project holds, and saving it as a new project
tabular.py, csv_import.py     CSV/XLSX/DOCX downloads; codebook and cases from CSV
pending.py     uploads waiting between preview and confirmation
views.py, urls.py, forms.py   the Exchange page, downloads and the import previews
"""
