"""Documents: template context, docxtpl rendering, PDF conversion and signature-field placement.

Heavy imports (docxtpl, unoserver, pypdf) stay in the submodules; import what you need from them:
:mod:`.render`, :mod:`.context`, :mod:`.converter`, :mod:`.placement`, :mod:`.templates_check`,
:mod:`.integrity` (the PDF holds every text of the Word form).
"""
