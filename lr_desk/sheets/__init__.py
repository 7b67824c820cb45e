"""The take-home prescription sheet (reportlab, no Qt).

``lr_desk.sheets.render`` turns a ``lr_desk.services.sheet.SheetData`` into a PDF. This
package module stays empty on purpose: importing reportlab costs time, and the app's
window comes first, so the renderer is imported only where a sheet is made.
"""
