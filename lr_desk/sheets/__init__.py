"""The take-home prescription sheet and the referral letter (reportlab, no Qt).

``lr_desk.sheets.render`` turns a ``lr_desk.services.sheet.SheetData`` into a PDF, from
``content`` (what the sheet says, block by block), ``page`` (the page both documents are
drawn on: header on every page, body frame, "Page N of M"; the hub's lines, boxed panels),
``flow`` (blocks kept together, pages numbered), ``look`` (page and styles), ``text``
(text in any script, right to left too; ``unprintable``), ``fonts`` (DejaVu Sans, Noto
Naskh Arabic and Noto Sans Ethiopic, each run of text in one that has its letters),
``qr`` (codes and their labels), ``words`` (the fixed words, urgent help, clock times)
and ``catalogues`` (the fixed words in the visitor's language, beside the English:
``lr_desk/locale/<code>/LC_MESSAGES/sheet.po``, read at run time). ``letter``
draws a ``services.letter.LetterData`` on the same page and look. ``subject_access``
prints a subject access export with the same fonts. This package module stays empty on
purpose: importing reportlab costs time, and the app's window comes first, so the
renderer is imported only where a sheet is made.
"""
